import type { CampaignName } from '../domain/campaign.js';
import { type IngestState, readIngestState } from '../ingest/ingest-lease.js';
import { senderId, senderMps } from '../domain/sender.js';
import type { CampaignCounts, CampaignRecord, CampaignStore } from '../queue/campaign-store.js';
import type { Keys } from '../queue/keys.js';
import type { RedisClient } from '../queue/redis-connection.js';
import { SenderPacer } from '../queue/sender-pacer.js';

export interface StatusSnapshot {
  at: number;
  record: CampaignRecord;
  counts: CampaignCounts;
  /** Whether the campaign's file is still being read, was read to its end, or stopped before it. */
  ingest: IngestState;
  /** Each sender's limit as the pacer applies it: a rate set for the sender, else the campaign's or its kind's. */
  senders: { senderId: string; limitMps: number }[];
}

/** Reads what `herald status` shows of a campaign at one moment. */
export async function readStatus(
  connection: RedisClient,
  keys: Keys,
  store: CampaignStore,
  name: CampaignName,
): Promise<StatusSnapshot | undefined> {
  const pacer = new SenderPacer(connection, keys);
  const record = await store.get(name);
  if (record === undefined) return undefined;
  const [counts, ingest, senders] = await Promise.all([
    store.counts(name),
    readIngestState(connection, keys, name, record.ingest),
    Promise.all(
      record.spec.senders.map(async (entry) => {
        const id = senderId(entry.sender);
        return { senderId: id, limitMps: (await pacer.rateOf(id)) ?? senderMps(entry.sender, entry.mps) };
      }),
    ),
  ]);
  return { at: Date.now(), record, counts, ingest, senders };
}
