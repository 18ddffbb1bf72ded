import { parse } from 'csv-parse/sync';

import { type CampaignSpec, parseCampaignName, type SenderEntry } from '../domain/campaign.js';
import { isChannel } from '../domain/channel.js';
import { isCountryCode } from '../domain/e164.js';
import { parseSender, senderId } from '../domain/sender.js';
import { parseSendWindow } from '../domain/send-window.js';

/** `herald send` options as commander parsed them. */
export interface SendOptions {
  campaign: string;
  from: string[];
  /** Rate of every --from sender, overriding its kind's default. */
  mps?: number;
  /** Rows of a senders file: a sender and, optionally, its rate and its rate group. */
  senderRows?: readonly { sender: string; mps?: string | undefined; group?: string | undefined; line: number }[];
  body?: string;
  media: string[];
  channel?: string;
  contentSid?: string;
  contentVariables?: string;
  toColumn: string;
  defaultCountry?: string;
  /** The column recording each recipient's consent. */
  consentColumn?: string;
  /** Hours of the recipient's local day to send in, `HH:MM-HH:MM`. */
  window?: string;
  /** The campaign is declared not marketing: no quiet hours, no frequency cap. */
  transactional?: boolean;
}

/**
 * Reads a senders file: CSV with a `sender` column and optional `mps` and `group` columns, one sender per row, e.g.
 * `sender,mps,group` / `+14155550100,,acme-10dlc` / `12345,50,`. Returns the rows with their line numbers, or the
 * problem.
 */
export function parseSendersFile(
  text: string,
): { ok: true; rows: NonNullable<SendOptions['senderRows']> } | { ok: false; reason: string } {
  let records: Record<string, string>[];
  try {
    records = parse(text, { bom: true, columns: true, skip_empty_lines: true, trim: true });
  } catch (error) {
    return { ok: false, reason: `senders file: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (records.length === 0) return { ok: false, reason: 'senders file: no senders' };
  if (!('sender' in records[0]!)) return { ok: false, reason: 'senders file: no "sender" column' };
  return {
    ok: true,
    rows: records.map((record, index) => ({
      sender: record['sender'] ?? '',
      mps: record['mps'],
      group: record['group'],
      line: index + 2,
    })),
  };
}

export type SpecBuild = { ok: true; spec: CampaignSpec } | { ok: false; reason: string };

const CONTENT_SID = /^HX[0-9a-fA-F]{32}$/;
const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Turns command-line options into a campaign spec, or the first problem as one line. */
export function buildCampaignSpec(options: SendOptions, now: Date): SpecBuild {
  const name = parseCampaignName(options.campaign);
  if (!name.ok) return name;
  if (options.mps !== undefined && !(options.mps > 0)) return { ok: false, reason: '--mps must be a number above 0' };
  const given = [
    ...options.from.map((text) => ({ text, mps: options.mps, group: undefined, where: '' })),
    ...(options.senderRows ?? []).map((row) => ({
      text: row.sender,
      mps: parseRate(row.mps),
      group: row.group === undefined || row.group.trim() === '' ? undefined : row.group.trim(),
      where: ` (senders file line ${row.line})`,
    })),
  ];
  if (given.length === 0) return { ok: false, reason: 'at least one sender is required: --from or --senders' };
  const senders: SenderEntry[] = [];
  for (const { text, mps, group, where } of given) {
    if (Number.isNaN(mps)) return { ok: false, reason: `sender ${text}${where}: mps must be a number above 0` };
    const parsed = parseSender(text);
    if (!parsed.ok) return { ok: false, reason: `${parsed.reason}${where}` };
    if (senders.some((entry) => senderId(entry.sender) === senderId(parsed.sender))) {
      return { ok: false, reason: `sender ${text} is given twice${where}` };
    }
    if (group !== undefined && !GROUP_NAME.test(group))
      return { ok: false, reason: `group "${group}"${where} is not a group name` };
    senders.push({
      sender: parsed.sender,
      ...(mps === undefined ? {} : { mps }),
      ...(group === undefined ? {} : { group }),
    });
  }
  if (options.channel !== undefined && !isChannel(options.channel)) {
    return { ok: false, reason: `--channel must be sms, mms or whatsapp, not "${options.channel}"` };
  }
  if (options.contentSid !== undefined && !CONTENT_SID.test(options.contentSid)) {
    return { ok: false, reason: '--content-sid must be HX followed by 32 hex digits' };
  }
  const contentVariables = parseContentVariables(options.contentVariables);
  if (!contentVariables.ok) return contentVariables;
  if (contentVariables.value !== undefined && options.contentSid === undefined) {
    return { ok: false, reason: '--content-variables needs --content-sid' };
  }
  if (options.body === undefined && options.media.length === 0 && options.contentSid === undefined) {
    return { ok: false, reason: 'give a message: --body, --media or --content-sid' };
  }
  const country = options.defaultCountry?.toUpperCase();
  if (country !== undefined && !isCountryCode(country)) {
    return {
      ok: false,
      reason: `--default-country "${options.defaultCountry}" is not an ISO country code (e.g. US, GB)`,
    };
  }
  if (options.consentColumn !== undefined && options.consentColumn.trim() === '') {
    return { ok: false, reason: '--consent-column needs a column name' };
  }
  const window = options.window === undefined ? undefined : parseSendWindow(options.window);
  if (window !== undefined && !window.ok) return window;
  return {
    ok: true,
    spec: {
      name: name.name,
      ...(options.channel !== undefined && isChannel(options.channel) ? { channel: options.channel } : {}),
      templates: {
        ...(options.body === undefined ? {} : { body: options.body }),
        media: options.media,
        ...(options.contentSid === undefined ? {} : { contentSid: options.contentSid }),
        ...(contentVariables.value === undefined ? {} : { contentVariables: contentVariables.value }),
      },
      senders,
      toColumn: options.toColumn,
      ...(country !== undefined && isCountryCode(country) ? { defaultCountry: country } : {}),
      ...(options.consentColumn === undefined ? {} : { consentColumn: options.consentColumn }),
      ...(window === undefined ? {} : { window: window.window }),
      ...(options.transactional === true ? { transactional: true as const } : {}),
      createdAt: now.toISOString(),
    },
  };
}

/** A senders file's mps cell: empty means the kind's default; anything but a positive number is NaN. */
function parseRate(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const rate = Number(text);
  return rate > 0 ? rate : Number.NaN;
}

function parseContentVariables(
  text: string | undefined,
): { ok: true; value: Record<string, string> | undefined } | { ok: false; reason: string } {
  if (text === undefined) return { ok: true, value: undefined };
  const problem = {
    ok: false as const,
    reason: '--content-variables must be a JSON object of strings, e.g. {"1":"{{first_name}}"}',
  };
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return problem;
    const entries = Object.entries(parsed);
    if (!entries.every(([, value]) => typeof value === 'string')) return problem;
    return { ok: true, value: Object.fromEntries(entries) as Record<string, string> };
  } catch {
    return problem;
  }
}
