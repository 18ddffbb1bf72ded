import type { CampaignName } from '../domain/campaign.js';
import { type IngestState, readIngestState } from '../ingest/ingest-lease.js';
import type { SenderHold } from '../domain/sender-hold.js';
import { senderId, senderMps } from '../domain/sender.js';
import type { CampaignCounts, CampaignRecord, CampaignStore } from '../queue/campaign-store.js';
import type { Keys } from '../store/keys.js';
import type { RedisClient } from '../queue/redis-connection.js';
import { SenderHolds } from '../queue/sender-holds.js';
import { SenderPacer } from '../queue/sender-pacer.js';
import { readWorkerPresence } from './worker-heartbeat.js';
import type { WorkerPresence } from './worker-presence.js';
import { readWindowWaits, type WindowWaits } from './window-waits.js';

export interface SenderStatus {
  senderId: string;
  /** The limit as the pacer applies it: a rate set for the sender, else the campaign's or its kind's. */
  limitMps: number;
  /** Why the sender sends nothing for now (its own hold or the account's), if it does not. */
  hold?: SenderHold;
}

export interface StatusSnapshot {
  /** ms, by Redis's clock (the clock the workers' announcements and the delayed jobs are written with). */
  at: number;
  record: CampaignRecord;
  counts: CampaignCounts;
  /** Whether the campaign's file is still being read, was read to its end, or stopped before it. */
  ingest: IngestState;
  senders: SenderStatus[];
  workers: WorkerPresence;
  /** Recipients waiting for their sending window; only read for a running campaign with a window. */
  windowWaits?: WindowWaits;
}

const FINAL = new Set(['finished', 'cancelled']);

/** Reads what `herald status` shows of a campaign at one moment. */
export async function readStatus(
  connection: RedisClient,
  keys: Keys,
  store: CampaignStore,
  name: CampaignName,
): Promise<StatusSnapshot | undefined> {
  const pacer = new SenderPacer(connection, keys);
  const holds = new SenderHolds(connection, keys);
  const record = await store.get(name);
  if (record === undefined) return undefined;
  const [counts, ingest, workers] = await Promise.all([
    store.counts(name),
    readIngestState(connection, keys, name, record.ingest),
    readWorkerPresence(connection, keys),
  ]);
  const at = workers.at;
  const senders = await Promise.all(
    record.spec.senders.map(async (entry): Promise<SenderStatus> => {
      const id = senderId(entry.sender);
      const [rate, hold] = await Promise.all([
        pacer.rateOf(id),
        FINAL.has(record.state) ? undefined : holds.holdOf(id, at),
      ]);
      return {
        senderId: id,
        limitMps: rate ?? senderMps(entry.sender, entry.mps),
        ...(hold === undefined ? {} : { hold }),
      };
    }),
  );
  // A paused sender's jobs wait for its pause to end, not for a window, so its queue is not counted.
  const windowWaits =
    record.spec.window !== undefined && record.state === 'running'
      ? await readWindowWaits(
          connection,
          keys.prefix,
          name,
          senders.filter((sender) => sender.hold?.state !== 'paused').map((sender) => sender.senderId),
          at,
        )
      : undefined;
  return { at, record, counts, ingest, senders, workers, ...(windowWaits === undefined ? {} : { windowWaits }) };
}
