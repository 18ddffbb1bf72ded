import type { CampaignName } from '../domain/campaign.js';
import { type IngestState, readIngestState } from '../ingest/ingest-lease.js';
import type { HoldOn } from '../domain/hold.js';
import { chainOf, tightestRate } from '../domain/rate-group.js';
import { senderId } from '../domain/sender.js';
import type { CampaignCounts, CampaignRecord, CampaignStore } from '../queue/campaign-store.js';
import { countHeld, type HoldReason } from '../store/held-recipients.js';
import type { Keys } from '../store/keys.js';
import type { RedisClient } from '../redis/redis-connection.js';
import { Holds } from '../rate/holds.js';
import { RateGroupsStore } from '../rate/rate-groups-store.js';
import { readWorkerPresence } from './worker-heartbeat.js';
import type { WorkerPresence } from './worker-presence.js';
import { laneOf } from '../domain/lanes.js';
import { readWindowWaits, type WindowWaits } from './window-waits.js';

export interface SenderStatus {
  senderId: string;
  /** The limit as the pacer applies it: the tightest of its own and its rate groups' (herald senders). */
  limitMps: number;
  /** What stops the sender now (the account's hold, its own, or a group's of its chain), if anything does. */
  hold?: HoldOn;
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
  /** Recipients held back now by a compliance rule, by reason; read unless the campaign is finished or cancelled. */
  held?: Record<HoldReason, number>;
}

const FINAL = new Set(['finished', 'cancelled']);

/** Reads what `herald status` shows of a campaign at one moment. */
export async function readStatus(
  connection: RedisClient,
  keys: Keys,
  store: CampaignStore,
  name: CampaignName,
): Promise<StatusSnapshot | undefined> {
  const holds = new Holds(connection, keys);
  const record = await store.get(name);
  if (record === undefined) return undefined;
  const [counts, ingest, workers, groups] = await Promise.all([
    store.counts(name),
    readIngestState(connection, keys, name, record.ingest),
    readWorkerPresence(connection, keys),
    new RateGroupsStore(connection, keys).read(),
  ]);
  const at = workers.at;
  const senders = await Promise.all(
    record.spec.senders.map(async (entry): Promise<SenderStatus> => {
      const chain = chainOf(groups, entry.sender);
      const hold = FINAL.has(record.state) ? undefined : await holds.holdOnChain(chain, at);
      return {
        senderId: senderId(entry.sender),
        limitMps: tightestRate(chain),
        ...(hold === undefined ? {} : { hold }),
      };
    }),
  );
  // A held sender's jobs wait for its hold to end, not for a window, so a lane whose senders are all held is not
  // counted.
  const windowWaits =
    record.spec.window !== undefined && record.state === 'running'
      ? await readWindowWaits(
          connection,
          keys.prefix,
          name,
          [
            ...new Set(
              senders
                .filter((sender) => sender.hold?.hold.state !== 'held')
                .map((sender) => laneOf(record.spec, sender.senderId)),
            ),
          ],
          at,
        )
      : undefined;
  const held = FINAL.has(record.state) ? undefined : await countHeld(connection, keys, name, at);
  return {
    at,
    record,
    counts,
    ingest,
    senders,
    workers,
    ...(windowWaits === undefined ? {} : { windowWaits }),
    ...(held === undefined ? {} : { held }),
  };
}
