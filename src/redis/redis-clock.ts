import type { RedisClient } from './redis-connection.js';

/**
 * The one clock herald's time-based decisions read when they must agree across processes: a sending window, a
 * scheduled start, a sender's pause, how long a send has been in flight. Each process's own clock may be wrong
 * by minutes or hours; Redis's is the one they share (pacing reads it inside its scripts).
 */
export interface Clock {
  /** Now, in ms since the epoch, by the shared clock. */
  now(): number;
  /**
   * The instant `at` (shared clock) as this process's own clock reads it: what BullMQ's delays take, since BullMQ
   * times a delayed job by the clock of the process that delays it.
   */
  toLocal(at: number): number;
}

/** This process's own clock: for tests and tools that run alone. */
export const LOCAL_CLOCK: Clock = { now: () => Date.now(), toLocal: (at) => at };

/** Round trips per reading of Redis's clock; the fastest one is kept. */
const SAMPLES = 5;

/** How often a process reads Redis's clock again (its own may be stepped by NTP, or drift). */
const REFRESH_MS = 30_000;

/**
 * Redis's clock, read cheaply: the offset between Redis's TIME and this process's clock, measured at start and every
 * 30 s, taken at the middle of the fastest of five round trips (so it is off by at most half of that one).
 */
export class RedisClock implements Clock {
  readonly #client: RedisClient;
  #offsetMs = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(client: RedisClient) {
    this.#client = client;
  }

  /**
   * Measures the offset now, from the fastest of a few round trips: a reading is off by at most half its round trip,
   * and on a busy host one round trip in several is slow. A failed read keeps the last offset.
   */
  async sync(): Promise<void> {
    let best: { roundTripMs: number; offsetMs: number } | undefined;
    for (let sample = 0; sample < SAMPLES; sample += 1) {
      const [sentAt, before] = [Date.now(), performance.now()];
      const [seconds, micros] = await this.#client.time();
      const [after, receivedAt] = [performance.now(), Date.now()];
      const offsetMs = Number(seconds) * 1000 + Number(micros) / 1000 - (sentAt + receivedAt) / 2;
      if (best === undefined || after - before < best.roundTripMs) best = { roundTripMs: after - before, offsetMs };
    }
    if (best !== undefined) this.#offsetMs = best.offsetMs;
  }

  /** Syncs, then keeps syncing every 30 s until stop(). */
  async start(): Promise<void> {
    await this.sync();
    this.#timer = setInterval(() => void this.sync().catch(() => undefined), REFRESH_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
  }

  /** How far Redis's clock is ahead of this process's (negative: behind), in ms. */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  now(): number {
    return Math.round(Date.now() + this.#offsetMs);
  }

  toLocal(at: number): number {
    return Math.round(at - this.#offsetMs);
  }
}
