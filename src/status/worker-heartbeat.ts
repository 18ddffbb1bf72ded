import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

import type { Keys } from '../store/keys.js';
import type { RedisClient } from '../redis/redis-connection.js';
import {
  FORGET_AFTER_MS,
  HEARTBEAT_INTERVAL_MS,
  parseWorkerEntry,
  summarisePresence,
  type WorkerEntry,
  type WorkerPresence,
} from './worker-presence.js';

/** Redis's clock in ms: every worker and command judges liveness by it, so a machine's skewed clock cannot. */
export async function redisNow(client: RedisClient): Promise<number> {
  const [seconds, micros] = await client.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/** Announcements between two tidy-ups of entries older than FORGET_AFTER_MS (about an hour). */
const TIDY_EVERY = 720;

/**
 * A worker's presence in Redis: one field of the workers hash, its own, rewritten every few seconds with the time it
 * was last alive, and marked stopped when the worker stops on purpose. A worker that dies simply stops rewriting it;
 * `herald status` and `herald send` read the hash to tell whether anyone is sending. One small write per worker every
 * five seconds, whatever the load.
 */
export class WorkerHeartbeat {
  readonly #client: RedisClient;
  readonly #key: string;
  readonly #id: string;
  readonly #onError: (error: unknown) => void;
  #entry: WorkerEntry | undefined;
  #timer: NodeJS.Timeout | undefined;
  #beats = 0;

  constructor(client: RedisClient, keys: Keys, onError: (error: unknown) => void) {
    this.#client = client;
    this.#key = keys.workers;
    this.#id = `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
    this.#onError = onError;
  }

  /** Announces the worker now and then every few seconds until `stop`. */
  async start(intervalMs = HEARTBEAT_INTERVAL_MS): Promise<void> {
    await this.#beat().catch(this.#onError);
    this.#timer = setInterval(() => void this.#beat().catch(this.#onError), intervalMs);
    this.#timer.unref();
  }

  /** Says goodbye: status then knows at once that this worker no longer sends. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#entry === undefined) return;
    const now = await redisNow(this.#client);
    await this.#client.hset(this.#key, this.#id, JSON.stringify({ ...this.#entry, seenAt: now, stoppedAt: now }));
  }

  async #beat(): Promise<void> {
    const now = await redisNow(this.#client);
    this.#entry = { host: hostname(), pid: process.pid, startedAt: this.#entry?.startedAt ?? now, seenAt: now };
    await this.#client.hset(this.#key, this.#id, JSON.stringify(this.#entry));
    if (this.#beats++ % TIDY_EVERY === 0) await forgetOldWorkers(this.#client, this.#key, now);
  }
}

/** Drops the entries of workers not heard from for a week, so the hash does not grow with every restart. */
async function forgetOldWorkers(client: RedisClient, key: string, now: number): Promise<void> {
  const stale = Object.entries(await client.hgetall(key))
    .filter(([, text]) => {
      const entry = parseWorkerEntry(text);
      return entry === undefined || now - Math.max(entry.seenAt, entry.stoppedAt ?? 0) > FORGET_AFTER_MS;
    })
    .map(([id]) => id);
  if (stale.length > 0) await client.hdel(key, ...stale);
}

/** Whether any worker is alive, and when one was last seen, as of Redis's clock now. */
export async function readWorkerPresence(client: RedisClient, keys: Keys): Promise<WorkerPresence> {
  const [now, fields] = await Promise.all([redisNow(client), client.hgetall(keys.workers)]);
  const entries = Object.values(fields).flatMap((text) => parseWorkerEntry(text) ?? []);
  return summarisePresence(entries, now);
}
