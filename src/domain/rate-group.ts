import type { SenderEntry } from './campaign.js';
import { DEFAULT_MPS, type Sender, senderId } from './sender.js';

/**
 * Rate groups, pure. Carriers meter throughput by more than the number: a 10DLC campaign's pool of numbers shares
 * one rate, a brand has a daily cap at T-Mobile, an account may have its own ceiling. A send takes its cost from
 * every link of its sender's chain at once: the sender itself, its group, that group's parent, and so on.
 */

/** A group's place in the hierarchy: a group's parent is always of a broader kind. */
export const GROUP_KINDS = ['pool', 'brand', 'account'] as const;
export type GroupKind = (typeof GROUP_KINDS)[number];

/** A link of a chain is a sender or a group of one of the kinds. */
export type LinkLevel = 'sender' | GroupKind;

const BREADTH: Readonly<Record<LinkLevel, number>> = { sender: 0, pool: 1, brand: 2, account: 3 };

/** A rate: `count` messages (SMS: segments) per second or per minute. */
export interface RateLimit {
  count: number;
  per: 'second' | 'minute';
}

/** A cap on the segments (MMS and WhatsApp: messages) a group sends per day, reset at `resetAt` in `timeZone`. */
export interface DailyCap {
  segments: number;
  /** Local time of day of the reset, `HH:MM`. */
  resetAt: string;
  /** IANA time zone of the reset, e.g. `America/Los_Angeles` (T-Mobile's). */
  timeZone: string;
}

export interface RateGroup {
  name: string;
  kind: GroupKind;
  parent?: string;
  limit?: RateLimit;
  dailyCap?: DailyCap;
  /** The limit of each sender that belongs to this group directly; `none`: members have no limit of their own. */
  memberLimit?: RateLimit | 'none';
}

/** What is set for one sender: its own limit, and the group it belongs to. */
export interface SenderSetting {
  limit?: RateLimit | 'none';
  group?: string;
}

export interface RateGroups {
  readonly groups: ReadonlyMap<string, RateGroup>;
  /** By sender id (`p14155550100`, …). */
  readonly senders: ReadonlyMap<string, SenderSetting>;
}

export const NO_GROUPS: RateGroups = { groups: new Map(), senders: new Map() };

/** One limit a send takes from: a sender or a group. */
export interface ChainLink {
  /** Unique in an installation: `s:<senderId>` or `g:<group name>`. */
  id: string;
  level: LinkLevel;
  /** How a person names it: the sender id or the group's name. */
  label: string;
  limit?: RateLimit;
  dailyCap?: DailyCap;
}

/** A sender's links, the sender first and the broadest group last. */
export interface RateChain {
  senderId: string;
  links: readonly ChainLink[];
  /** What every Redis key of the chain shares as its hash tag (the broadest link's id), so one script reaches all. */
  tag: string;
}

/** Milliseconds of a limit's time one unit of cost uses. */
export function intervalMs(limit: RateLimit): number {
  return (limit.per === 'second' ? 1000 : 60_000) / limit.count;
}

/** Units of cost per second a limit allows. */
export function perSecond(limit: RateLimit): number {
  return limit.per === 'second' ? limit.count : limit.count / 60;
}

/** `3/s`, `4500/min`. */
export function formatLimit(limit: RateLimit | 'none' | undefined): string {
  if (limit === undefined || limit === 'none') return 'no limit';
  return `${limit.count}/${limit.per === 'second' ? 's' : 'min'}`;
}

/** The limit a sender kind has when nothing else is set (Twilio's defaults; a Messaging Service's is its pool's). */
export function defaultLimitOf(sender: Sender): RateLimit {
  return { count: DEFAULT_MPS[sender.kind], per: 'second' };
}

export function senderLinkId(id: string): string {
  return `s:${id}`;
}

export function groupLinkId(name: string): string {
  return `g:${name}`;
}

/**
 * The sender's chain: its own limit (set for it, else its group's `memberLimit`, else its kind's default), then its
 * group and each parent up to the broadest. The groups are assumed checked (rate-group-file.ts): parents exist and
 * are broader, so the walk ends.
 */
export function chainOf(groups: RateGroups, sender: Sender): RateChain {
  const id = senderId(sender);
  const setting = groups.senders.get(id);
  const first = setting?.group === undefined ? undefined : groups.groups.get(setting.group);
  const own = setting?.limit ?? first?.memberLimit ?? defaultLimitOf(sender);
  const links: ChainLink[] = [
    { id: senderLinkId(id), level: 'sender', label: id, ...(own === 'none' ? {} : { limit: own }) },
  ];
  for (let group = first; group !== undefined; group = parentOf(groups, group)) {
    links.push({
      id: groupLinkId(group.name),
      level: group.kind,
      label: group.name,
      ...(group.limit === undefined ? {} : { limit: group.limit }),
      ...(group.dailyCap === undefined ? {} : { dailyCap: group.dailyCap }),
    });
  }
  return { senderId: id, links, tag: links.at(-1)!.id };
}

function parentOf(groups: RateGroups, group: RateGroup): RateGroup | undefined {
  return group.parent === undefined ? undefined : groups.groups.get(group.parent);
}

/** Units of cost per second the chain lets one sender send alone: its tightest limit. */
export function tightestRate(chain: RateChain): number {
  return Math.min(...chain.links.flatMap((link) => (link.limit === undefined ? [] : [perSecond(link.limit)])));
}

/**
 * The link an answer about `level` acts on: the chain's link of that level, else the broadest link narrower than
 * it (a brand's daily cap with no brand configured holds the sender's pool, or the sender itself).
 */
export function linkAt(chain: RateChain, level: LinkLevel): ChainLink {
  const fitting = chain.links.filter((link) => BREADTH[link.level] <= BREADTH[level]);
  return fitting.at(-1) ?? chain.links[0]!;
}

/** Whether a group of `kind` may have a parent of `parentKind`: only a broader one. */
export function mayNest(kind: GroupKind, parentKind: GroupKind): boolean {
  return BREADTH[parentKind] > BREADTH[kind];
}

/**
 * A sender's share of each link it shares with the campaign's other senders, per second: the rate one campaign
 * queue can use when all of them send at once. Sizes how many jobs a worker holds per queue.
 */
export function shareRate(chain: RateChain, chains: readonly RateChain[]): number {
  return Math.min(
    ...chain.links.flatMap((link) => {
      if (link.limit === undefined) return [];
      const sharing = chains.filter((other) => other.links.some((candidate) => candidate.id === link.id)).length;
      return [perSecond(link.limit) / Math.max(1, sharing)];
    }),
  );
}

/** The command that lifts a hold on a link (`account`: the account's). */
export function resumeCommandOf(level: LinkLevel | 'account', subject: string): string {
  if (level === 'account') return 'herald senders resume --account';
  return level === 'sender' ? `herald senders resume ${subject}` : `herald groups resume ${subject}`;
}

/** The hash tag of the chains a group belongs to: its broadest ancestor's link id. */
export function tagOfGroup(groups: RateGroups, name: string): string {
  let broadest = name;
  for (let group = groups.groups.get(name); group?.parent !== undefined; group = groups.groups.get(group.parent)) {
    broadest = group.parent;
  }
  return groupLinkId(broadest);
}

/** The hash tag of a sender's chain (as chainOf gives it), by the sender's id. */
export function tagOfSender(groups: RateGroups, id: string): string {
  const group = groups.senders.get(id)?.group;
  return group === undefined || !groups.groups.has(group) ? senderLinkId(id) : tagOfGroup(groups, group);
}

/** What a campaign's senders set for themselves (`--mps`, a senders file's `mps` and `group`), by sender id. */
export function settingsOf(entries: readonly SenderEntry[]): Map<string, SenderSetting> {
  const settings = new Map<string, SenderSetting>();
  for (const { sender, mps, group } of entries) {
    if (mps === undefined && group === undefined) continue;
    settings.set(senderId(sender), {
      ...(mps === undefined ? {} : { limit: { count: mps, per: 'second' as const } }),
      ...(group === undefined ? {} : { group }),
    });
  }
  return settings;
}

/** The groups with some senders' settings on top, as `herald send` would store them. */
export function withSettings(groups: RateGroups, settings: ReadonlyMap<string, SenderSetting>): RateGroups {
  const senders = new Map(groups.senders);
  for (const [id, setting] of settings) senders.set(id, { ...senders.get(id), ...setting });
  return { groups: groups.groups, senders };
}
