import type { CampaignName } from '../domain/campaign.js';
import type { CampaignCounts, CampaignRecord, CampaignStore } from '../queue/campaign-store.js';
import type { Keys } from '../queue/keys.js';
import type { RedisClient } from '../queue/redis-connection.js';
import { readSenderLimits } from '../rate/rate-groups-store.js';

export interface StatusSnapshot {
  at: number;
  record: CampaignRecord;
  counts: CampaignCounts;
  /** Each sender's limit as the pacer applies it: the tightest of its own and its groups' (herald senders). */
  senders: { senderId: string; limitMps: number }[];
}

/** Reads what `herald status` shows of a campaign at one moment. */
export async function readStatus(
  connection: RedisClient,
  keys: Keys,
  store: CampaignStore,
  name: CampaignName,
): Promise<StatusSnapshot | undefined> {
  const record = await store.get(name);
  if (record === undefined) return undefined;
  const [counts, senders] = await Promise.all([
    store.counts(name),
    readSenderLimits(connection, keys, record.spec.senders),
  ]);
  return { at: Date.now(), record, counts, senders };
}
