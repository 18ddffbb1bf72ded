import type { Hold, HoldOn } from '../domain/hold.js';

export type { HoldOn };
import {
  chainOf,
  formatLimit,
  groupLinkId,
  type RateChain,
  type RateGroups,
  tagOfGroup,
  tightestRate,
} from '../domain/rate-group.js';
import { parseSender, type Sender, senderAddress, senderId as idOf } from '../domain/sender.js';
import type { CampaignStore } from '../queue/campaign-store.js';
import type { Keys } from '../store/keys.js';
import type { RedisClient } from '../redis/redis-connection.js';
import { Holds } from './holds.js';
import { RateGroupsStore } from './rate-groups-store.js';

/** One link's day so far against its daily cap. */
export interface CapState {
  segments: number;
  used: number;
  /** When the count resets, ms since the epoch; absent before the first send of the period. */
  resetsAt?: number;
}

export interface SenderRow {
  senderId: string;
  /** As Twilio's From (or the Messaging Service SID); absent for a held sender no active campaign uses. */
  address?: string;
  /** Its limits, its own first: `p14155550100 1/s`, `acme-10dlc 75/s`, … */
  limits: string[];
  /** The rate it can send at alone (its tightest limit), per second. */
  mps?: number;
  /** Active campaigns that send from it. */
  campaigns: string[];
  /** The hold that stops it now: its own or a group's of its chain, else the account's. */
  hold?: HoldOn;
}

export interface GroupRow {
  name: string;
  kind: string;
  parent?: string;
  limit: string;
  memberLimit?: string;
  dailyCap?: CapState & { resetAt: string; timeZone: string };
  /** Senders set to belong to it directly. */
  members: string[];
  hold?: Hold;
}

export interface RateOverview {
  account?: Hold;
  senders: SenderRow[];
  groups: GroupRow[];
}

/**
 * Every sender of an active campaign and every sender on hold, with its limits and state, and every group with its
 * day against its cap (for `herald senders`, `herald groups` and the metrics exporter).
 */
export async function readRateOverview(
  connection: RedisClient,
  keys: Keys,
  store: CampaignStore,
  now = Date.now(),
): Promise<RateOverview> {
  const groups = await new RateGroupsStore(connection, keys).read();
  const holds = new Holds(connection, keys);
  const senders = new Map<string, { sender?: Sender; campaigns: string[] }>();
  for (const campaign of await store.activeNames()) {
    const record = await store.get(campaign);
    for (const entry of record?.spec.senders ?? []) {
      const row = senders.get(idOf(entry.sender)) ?? { sender: entry.sender, campaigns: [] };
      row.campaigns.push(campaign);
      senders.set(idOf(entry.sender), row);
    }
  }
  const held = await holds.heldLinks(now);
  for (const { linkId } of held) {
    const id = linkId.startsWith('s:') ? linkId.slice(2) : undefined;
    if (id !== undefined && !senders.has(id)) senders.set(id, { campaigns: [] });
  }
  const account = await holds.accountHold(now);
  const holdOf = (linkId: string) => held.find((entry) => entry.linkId === linkId)?.hold;
  const senderRows = [...senders].map(([id, { sender, campaigns }]): SenderRow => {
    const known = sender ?? senderOfId(id);
    const chain = known === undefined ? undefined : chainOf(groups, known);
    const links = chain?.links ?? [{ id: `s:${id}`, level: 'sender' as const, label: id }];
    const chainHold = links.flatMap((link) => {
      const hold = holdOf(link.id);
      return hold === undefined ? [] : [{ subject: link.label, level: link.level, hold }];
    })[0];
    // Its own chain's hold first; the account's, listed on a line of its own, only where the chain has none.
    const hold =
      chainHold ??
      (account === undefined ? undefined : { subject: 'account', level: 'account' as const, hold: account });
    return {
      senderId: id,
      ...(sender === undefined ? {} : { address: senderAddress(sender) }),
      limits: chain === undefined ? [] : chain.links.map((link) => `${link.label} ${formatLimit(link.limit)}`),
      ...(chain === undefined ? {} : { mps: tightestRate(chain) }),
      campaigns,
      ...(hold === undefined ? {} : { hold }),
    };
  });
  const groupRows = await Promise.all(
    [...groups.groups.values()].map(async (group): Promise<GroupRow> => {
      const hold = holdOf(groupLinkId(group.name));
      const cap =
        group.dailyCap === undefined
          ? undefined
          : { ...group.dailyCap, ...(await readCap(connection, keys, groups, group.name, now)) };
      return {
        name: group.name,
        kind: group.kind,
        ...(group.parent === undefined ? {} : { parent: group.parent }),
        limit: formatLimit(group.limit),
        ...(group.memberLimit === undefined ? {} : { memberLimit: formatLimit(group.memberLimit) }),
        ...(cap === undefined ? {} : { dailyCap: cap }),
        members: [...groups.senders].filter(([, setting]) => setting.group === group.name).map(([id]) => id),
        ...(hold === undefined ? {} : { hold }),
      };
    }),
  );
  return {
    ...(account === undefined ? {} : { account }),
    senders: senderRows.sort((a, b) => a.senderId.localeCompare(b.senderId)),
    groups: groupRows,
  };
}

/** Every capped group's count today (for the dry run's estimate). */
export async function readCapUsage(
  connection: RedisClient,
  keys: Keys,
  groups: RateGroups,
  now = Date.now(),
): Promise<Map<string, { used: number; resetsAt?: number }>> {
  const usage = new Map<string, { used: number; resetsAt?: number }>();
  for (const group of groups.groups.values()) {
    if (group.dailyCap !== undefined) usage.set(group.name, await readCap(connection, keys, groups, group.name, now));
  }
  return usage;
}

/** A group's count toward its daily cap, from the hash of the chains it belongs to. */
async function readCap(
  connection: RedisClient,
  keys: Keys,
  groups: RateGroups,
  name: string,
  now: number,
): Promise<{ used: number; resetsAt?: number }> {
  const id = groupLinkId(name);
  const [used, period] = await connection.hmget(keys.rateChain(tagOfGroup(groups, name)), `${id}:used`, `${id}:period`);
  const resetsAt = Number(period ?? 0);
  return resetsAt > now ? { used: Number(used ?? 0), resetsAt } : { used: 0 };
}

/** A sender known only by its id (held, but in no active campaign): its kind, for its default limit. */
function senderOfId(id: string): Sender | undefined {
  const address = id.startsWith('MG') ? id : id.startsWith('s') ? id.slice(1) : `+${id.slice(1)}`;
  const parsed = parseSender(id.startsWith('w') ? `whatsapp:${address}` : address);
  return parsed.ok ? parsed.sender : undefined;
}

/** Whether a chain holds a given link (for lifting a group's hold: which senders' jobs to make due). */
export function chainHas(chain: RateChain, linkId: string): boolean {
  return chain.links.some((link) => link.id === linkId);
}
