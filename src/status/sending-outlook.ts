import type { CampaignSpec } from '../domain/campaign.js';
import { formatSendWindow, type SendWindow } from '../domain/send-window.js';
import { formatZoned } from '../lib/zoned-time.js';
import type { Keys } from '../store/keys.js';
import type { RedisClient } from '../redis/redis-connection.js';
import { chainOf } from '../domain/rate-group.js';
import { Holds } from '../rate/holds.js';
import { RateGroupsStore } from '../rate/rate-groups-store.js';
import { readWorkerPresence } from './worker-heartbeat.js';
import { describePresence, type WorkerPresence } from './worker-presence.js';

/** What a command that just queued recipients can say about who will send them. */
export interface SendingOutlook {
  workers: WorkerPresence;
  /** The campaign's senders on hold now (their own hold or the account's), of `senders` in all. */
  held: number;
  senders: number;
}

export async function readSendingOutlook(
  connection: RedisClient,
  keys: Keys,
  spec: CampaignSpec,
): Promise<SendingOutlook> {
  const holds = new Holds(connection, keys);
  const groups = await new RateGroupsStore(connection, keys).read();
  const [workers, held] = await Promise.all([
    readWorkerPresence(connection, keys),
    Promise.all(spec.senders.map((entry) => holds.holdOnChain(chainOf(groups, entry.sender)))),
  ]);
  return { workers, held: held.filter((hold) => hold !== undefined).length, senders: spec.senders.length };
}

/**
 * The last line of `herald send` and `herald resend-failed`: who sends what was queued, never "workers are sending
 * it" unless a worker is alive and a sender free. `startAt` (ms) for a scheduled campaign; `window`, its sending
 * window. Pure.
 */
export function describeSending(
  campaign: string,
  outlook: SendingOutlook,
  zone: string,
  startAt?: number,
  window?: SendWindow,
): string {
  const follow = `herald status ${campaign}`;
  const { workers, held, senders } = outlook;
  const noWorker = workers.alive === 0 ? `${describePresence(workers)}: start one (herald worker)` : undefined;
  if (startAt !== undefined) {
    const when = `scheduled: workers start sending it at ${formatZoned(startAt, zone)}`;
    return noWorker === undefined ? `${when}; ${follow}` : `${when}, but ${noWorker} before then; ${follow}`;
  }
  if (noWorker !== undefined) return `not sending: ${noWorker} to send it; then ${follow}`;
  if (held === senders && senders > 0) {
    const which = senders === 1 ? 'its sender is' : `all ${senders} of its senders are`;
    return `not sending: ${which} on hold (see herald senders); ${follow}`;
  }
  const who = workers.alive === 1 ? '1 worker is' : `${workers.alive} workers are`;
  const hours = window === undefined ? '' : `, to each recipient between ${formatSendWindow(window)} their time`;
  return `${who} sending it${hours}: ${follow}`;
}
