import { z } from 'zod';

import { isTimeZone } from './daily-reset.js';
import {
  type DailyCap,
  GROUP_KINDS,
  mayNest,
  type RateGroup,
  type RateGroups,
  type RateLimit,
  type SenderSetting,
} from './rate-group.js';
import { parseSenderOrId } from './sender.js';

/**
 * The rate groups file (`herald groups apply groups.json`), checked once: every problem is one line naming where it
 * is. Senders are written as `--from` takes them (`+14155550100`, `55501`, `whatsapp:+…`, `MG…`) or as their ids.
 * Limits are `N/s` or `N/min`. The same format is what Redis keeps, so every process reads it the same way.
 */

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const LIMIT = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(s|sec|second|min|minute)\s*$/;
const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;
const MAX_PER_SECOND = 100_000;

/** T-Mobile resets its daily caps at midnight Pacific; a cap without a reset time is assumed to be T-Mobile's. */
export const DEFAULT_CAP_RESET = { resetAt: '00:00', timeZone: 'America/Los_Angeles' } as const;

const limitText = z.string().describe('a limit such as 75/s or 4500/min');

const groupSchema = z.strictObject({
  name: z.string(),
  kind: z.enum(GROUP_KINDS),
  parent: z.string().optional(),
  limit: limitText.optional(),
  dailyCap: z
    .strictObject({
      segments: z.number().int().positive(),
      resetAt: z.string().optional(),
      timeZone: z.string().optional(),
    })
    .optional(),
  memberLimit: limitText.optional(),
  senders: z.array(z.string()).optional(),
});

const fileSchema = z.strictObject({
  groups: z.array(groupSchema).default([]),
  senders: z
    .array(z.strictObject({ sender: z.string(), limit: limitText.optional(), group: z.string().optional() }))
    .default([]),
});

export type RateGroupsParse = { ok: true; groups: RateGroups } | { ok: false; reason: string };

class FileProblem extends Error {}

/** Reads a rate groups file's text. */
export function parseRateGroupsFile(text: string): RateGroupsParse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `groups file is not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const shape = fileSchema.safeParse(json);
  if (!shape.success) {
    const issue = shape.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
    return { ok: false, reason: `groups file: ${where}${issue?.message ?? 'not a groups file'}` };
  }
  try {
    return { ok: true, groups: checkGroups(shape.data) };
  } catch (error) {
    if (error instanceof FileProblem) return { ok: false, reason: `groups file: ${error.message}` };
    throw error;
  }
}

function checkGroups(file: z.infer<typeof fileSchema>): RateGroups {
  const groups = new Map<string, RateGroup>();
  const senders = new Map<string, SenderSetting>();
  file.groups.forEach((entry, index) => {
    const where = `groups[${index}]`;
    if (!NAME.test(entry.name))
      throw new FileProblem(`${where}: name "${entry.name}" must be 1–64 letters, digits, '.', '_' or '-'`);
    if (groups.has(entry.name)) throw new FileProblem(`${where}: group "${entry.name}" is defined twice`);
    const limit = entry.limit === undefined ? undefined : readLimit(entry.limit, `${where}.limit`);
    const memberLimit =
      entry.memberLimit === undefined
        ? undefined
        : entry.memberLimit.trim() === 'none'
          ? 'none'
          : readLimit(entry.memberLimit, `${where}.memberLimit`);
    const dailyCap = entry.dailyCap === undefined ? undefined : readCap(entry.dailyCap, `${where}.dailyCap`);
    groups.set(entry.name, {
      name: entry.name,
      kind: entry.kind,
      ...(entry.parent === undefined ? {} : { parent: entry.parent }),
      ...(limit === undefined ? {} : { limit }),
      ...(dailyCap === undefined ? {} : { dailyCap }),
      ...(memberLimit === undefined ? {} : { memberLimit }),
    });
    for (const text of entry.senders ?? []) {
      const id = readSender(text, `${where}.senders`);
      if (senders.has(id)) throw new FileProblem(`${where}.senders: sender ${text} is in two groups`);
      senders.set(id, { group: entry.name });
    }
  });
  for (const group of groups.values()) checkParent(groups, group);
  file.senders.forEach((entry, index) => {
    const where = `senders[${index}]`;
    const id = readSender(entry.sender, where);
    const member = senders.get(id)?.group;
    if (entry.group !== undefined && member !== undefined && member !== entry.group)
      throw new FileProblem(`${where}: sender ${entry.sender} is in group "${member}" and in "${entry.group}"`);
    const group = entry.group ?? member;
    const limit =
      entry.limit === undefined
        ? undefined
        : entry.limit.trim() === 'none'
          ? ('none' as const)
          : readLimit(entry.limit, `${where}.limit`);
    senders.set(id, { ...(limit === undefined ? {} : { limit }), ...(group === undefined ? {} : { group }) });
  });
  const result = { groups, senders };
  const problem = findProblem(result);
  if (problem !== undefined) throw new FileProblem(problem);
  return result;
}

function checkParent(groups: ReadonlyMap<string, RateGroup>, group: RateGroup): void {
  if (group.parent === undefined) return;
  const parent = groups.get(group.parent);
  if (parent === undefined) throw new FileProblem(`group "${group.name}": parent "${group.parent}" is not a group`);
  if (!mayNest(group.kind, parent.kind))
    throw new FileProblem(
      `group "${group.name}": a ${group.kind}'s parent must be broader (pool < brand < account), not a ${parent.kind}`,
    );
}

/**
 * What is wrong with a set of groups and sender settings, or undefined: a sender's group must exist, and every
 * sender that has no limit of its own must be limited by a group above it (else nothing would pace it).
 */
export function findProblem(groups: RateGroups): string | undefined {
  const limitedAbove = (name: string | undefined): boolean => {
    for (let group = name === undefined ? undefined : groups.groups.get(name); group !== undefined;) {
      if (group.limit !== undefined) return true;
      group = group.parent === undefined ? undefined : groups.groups.get(group.parent);
    }
    return false;
  };
  for (const group of groups.groups.values()) {
    if (group.memberLimit === 'none' && !limitedAbove(group.name))
      return `group "${group.name}": memberLimit none needs a limit on the group or a group above it`;
  }
  for (const [id, setting] of groups.senders) {
    if (setting.group !== undefined && !groups.groups.has(setting.group))
      return `sender ${id}: group "${setting.group}" is not a group (see herald groups)`;
    if (setting.limit === 'none' && !limitedAbove(setting.group))
      return `sender ${id}: limit none needs a group with a limit above it`;
  }
  return undefined;
}

/** `75/s`, `4500/min`. */
export function parseLimit(text: string): RateLimit | undefined {
  const match = LIMIT.exec(text);
  if (match === null) return undefined;
  const count = Number(match[1]);
  const per = match[2]!.startsWith('m') ? 'minute' : 'second';
  const rate = per === 'second' ? count : count / 60;
  return count > 0 && rate <= MAX_PER_SECOND ? { count, per } : undefined;
}

function readLimit(text: string, where: string): RateLimit {
  const limit = parseLimit(text);
  if (limit === undefined)
    throw new FileProblem(`${where}: "${text}" is not a limit such as 75/s or 4500/min (above 0, at most 100000/s)`);
  return limit;
}

function readCap(
  cap: { segments: number; resetAt?: string | undefined; timeZone?: string | undefined },
  where: string,
): DailyCap {
  const resetAt = cap.resetAt ?? DEFAULT_CAP_RESET.resetAt;
  const timeZone = cap.timeZone ?? DEFAULT_CAP_RESET.timeZone;
  if (!CLOCK.test(resetAt)) throw new FileProblem(`${where}.resetAt: "${resetAt}" is not a time of day HH:MM`);
  if (!isTimeZone(timeZone)) throw new FileProblem(`${where}.timeZone: "${timeZone}" is not a time zone`);
  return { segments: cap.segments, resetAt, timeZone };
}

function readSender(text: string, where: string): string {
  const parsed = parseSenderOrId(text);
  if (!parsed.ok) throw new FileProblem(`${where}: ${parsed.reason}`);
  return parsed.id;
}

/** The groups as the file format, senders by id: what Redis keeps and `herald groups --json` prints. */
export function formatRateGroupsFile(groups: RateGroups): string {
  const text = (limit: RateLimit | 'none'): string =>
    limit === 'none' ? 'none' : `${limit.count}/${limit.per === 'second' ? 's' : 'min'}`;
  return JSON.stringify({
    groups: [...groups.groups.values()].map((group) => ({
      name: group.name,
      kind: group.kind,
      ...(group.parent === undefined ? {} : { parent: group.parent }),
      ...(group.limit === undefined ? {} : { limit: text(group.limit) }),
      ...(group.dailyCap === undefined ? {} : { dailyCap: group.dailyCap }),
      ...(group.memberLimit === undefined ? {} : { memberLimit: text(group.memberLimit) }),
    })),
    senders: [...groups.senders].map(([id, setting]) => ({
      sender: id,
      ...(setting.limit === undefined ? {} : { limit: text(setting.limit) }),
      ...(setting.group === undefined ? {} : { group: setting.group }),
    })),
  });
}
