import { QueueKeys } from 'bullmq';

import type { CampaignName } from '../domain/campaign.js';
import { queueNameOf } from '../store/keys.js';
import type { RedisClient } from '../redis/redis-connection.js';

/**
 * Recipients who wait for their sending window, read from BullMQ's delayed sets: a job outside its recipient's window
 * is delayed until the window next opens (send/steps/await-window.ts), so the jobs of an unheld lane delayed further ahead
 * than any other wait lasts are those. Every other delay is shorter: a retry's backoff or a halted sender's recheck is
 * at most a minute, a reconciliation's ten seconds. A sender on a timed hold is left out by the caller, as its jobs
 * wait for the hold to end.
 */
export const WINDOW_WAIT_BEYOND_MS = 2 * 60_000;

export interface WindowWaits {
  recipients: number;
  /** ms since the epoch: the first and the last of their windows to open. */
  firstAt: number;
  lastAt: number;
}

/** BullMQ scores a delayed job `due × 0x1000 + a counter` (its getDelayedScore.lua). */
const SCORE_PER_MS = 0x1000;

/** The window waits of the given (campaign, lane) queues as of `now` (ms), or undefined when nobody waits. */
export async function readWindowWaits(
  client: RedisClient,
  prefix: string,
  campaign: CampaignName,
  lanes: readonly string[],
  now: number,
): Promise<WindowWaits | undefined> {
  const names = new QueueKeys(prefix);
  const floor = (now + WINDOW_WAIT_BEYOND_MS) * SCORE_PER_MS;
  const perQueue = await Promise.all(
    lanes.map(async (lane) => {
      const key = names.toKey(queueNameOf(campaign, lane), 'delayed');
      const [count, first, last] = await Promise.all([
        client.zcount(key, floor, '+inf'),
        client.zrangebyscore(key, floor, '+inf', 'WITHSCORES', 'LIMIT', 0, 1),
        client.zrevrangebyscore(key, '+inf', floor, 'WITHSCORES', 'LIMIT', 0, 1),
      ]);
      return { count, first: dueOf(first), last: dueOf(last) };
    }),
  );
  const waiting = perQueue.filter((queue) => queue.count > 0);
  if (waiting.length === 0) return undefined;
  return {
    recipients: waiting.reduce((sum, queue) => sum + queue.count, 0),
    firstAt: Math.min(...waiting.map((queue) => queue.first)),
    lastAt: Math.max(...waiting.map((queue) => queue.last)),
  };
}

function dueOf(withScores: readonly string[]): number {
  return Math.floor(Number(withScores[1] ?? Number.NaN) / SCORE_PER_MS);
}
