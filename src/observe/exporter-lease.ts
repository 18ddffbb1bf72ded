import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

import type { RedisClient } from '../redis/redis-connection.js';

import { holdLease } from '../store/lease.js';

/**
 * Which one worker process exports the campaign totals kept in Redis. Every process exports its own attempts and
 * latencies, but a total read from Redis exported by two processes would be summed twice by `sum(…)`; so only the
 * holder of this lease exports them. Every process tries to take or renew it a few times per time to live, and
 * again at each scrape, exporting only if that succeeded: a holder that is stopped, killed or cut off from Redis
 * stops exporting at once, and another process takes over when the lease expires. The time to live must be
 * longer than Prometheus's scrape interval, so that the old holder's last scrape has gone stale by then. The holder
 * also sweeps the installation's overdue delivery receipts (receipts/receipt-sweep.ts): one worker, the same way.
 */
export class ExporterLease {
  readonly #client: RedisClient;
  readonly #key: string;
  readonly #ttlMs: number;
  readonly #id = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(client: RedisClient, key: string, ttlMs: number) {
    this.#client = client;
    this.#key = key;
    this.#ttlMs = ttlMs;
  }

  /** Takes or renews the lease; false when another process holds it or Redis did not answer. */
  async hold(): Promise<boolean> {
    if (this.#stopped) return false;
    return holdLease(this.#client, this.#key, this.#id, this.#ttlMs);
  }

  /** Keeps trying in the background, three times per time to live, so a holder never lapses between scrapes. */
  start(): void {
    const attempt = () => void this.hold().catch(() => undefined);
    attempt();
    this.#timer = setInterval(attempt, Math.max(100, Math.floor(this.#ttlMs / 3)));
    this.#timer.unref();
  }

  /**
   * Stops renewing. The lease is left to expire rather than released: Prometheus keeps showing this process's
   * last scrape until its next one fails, so a successor that exported at once would be counted alongside it.
   * Waiting out the time to live (longer than the scrape interval) leaves a short gap instead of a double count.
   */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#stopped = true;
  }
}
