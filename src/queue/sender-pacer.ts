import { setTimeout as sleep } from 'node:timers/promises';

import type { RedisClient } from './redis-connection.js';

import { DEFAULT_PACING, type PacingPolicy } from '../domain/pacing.js';
import { parseSenderHold, type SenderHold } from '../domain/sender-hold.js';
import type { Keys } from './keys.js';
import { HOLD_BACK, RESERVE_SLOT } from './pace-scripts.js';

/** Longest single wait before asking for a slot again, so a rate raised meanwhile is noticed soon. */
const MAX_POLL_MS = 2000;
/** Spreads the retries of the workers that were turned away together, so they do not all ask at once. */
const POLL_JITTER_MS = 25;

/**
 * Paces sends per sender across every process sharing the Redis: `reserve` resolves at the send's slot. A process
 * that is turned away holds no slot while it waits, so a pause or a rate change takes effect at once.
 */
export class SenderPacer {
  readonly #client: RedisClient;
  readonly #keys: Keys;
  readonly #policy: PacingPolicy;
  constructor(client: RedisClient, keys: Keys, policy: PacingPolicy = DEFAULT_PACING) {
    this.#client = client;
    this.#keys = keys;
    this.#policy = policy;
  }

  get policy(): PacingPolicy {
    return this.#policy;
  }

  /**
   * Reserves this send's slot in the sender's schedule and resolves when it comes, with how long it waited; or, with
   * nothing reserved, with the sender's hold if it is paused or halted (read in the same script). `defaultMps`
   * applies unless a rate was configured for the sender.
   */
  async reserve(
    senderId: string,
    cost: number,
    defaultMps: number,
    signal?: AbortSignal,
  ): Promise<{ kind: 'slot'; waitedMs: number } | { kind: 'held'; hold: SenderHold }> {
    const options = signal === undefined ? {} : { signal };
    const started = performance.now();
    for (;;) {
      const answer = await this.#reserveOne(senderId, cost, defaultMps);
      if (answer.kind === 'held') return answer;
      if (answer.kind === 'slot') {
        if (answer.waitMs > 0) await sleep(answer.waitMs, undefined, options);
        return { kind: 'slot', waitedMs: performance.now() - started };
      }
      await sleep(Math.min(answer.waitMs, MAX_POLL_MS) + Math.random() * POLL_JITTER_MS, undefined, options);
    }
  }

  async #reserveOne(
    senderId: string,
    cost: number,
    defaultMps: number,
  ): Promise<{ kind: 'slot' | 'later'; waitMs: number } | { kind: 'held'; hold: SenderHold }> {
    const keys = [this.#keys.senderPace(senderId), this.#keys.senderHold(senderId)];
    const now = Date.now();
    const args = [this.#policy.horizonMs, now, cost, defaultMps];
    const [code, ...rest] = (await RESERVE_SLOT.run(this.#client, keys, args)) as [number, ...(string | number)[]];
    if (code === 2) {
      const [state = '', holdCode = '', reason = '', since = '0', until = '0'] = rest.map(String);
      const hold = parseSenderHold({ state, code: holdCode, reason, since, until }, 'sender', now);
      // The script judged the pause by the same `now` as parseSenderHold, so this always holds; were it not, ask again.
      return hold === undefined ? { kind: 'later', waitMs: 0 } : { kind: 'held', hold };
    }
    return { kind: code === 1 ? 'slot' : 'later', waitMs: Number(rest[0] ?? 0) };
  }

  /** Holds the sender back for `ms` in every process: no slot is granted before then. */
  async holdBack(senderId: string, ms: number): Promise<void> {
    await HOLD_BACK.run(this.#client, [this.#keys.senderPace(senderId)], [ms]);
  }

  /** Sets a sender's rate for every campaign and process (the last setting wins). */
  async setRate(senderId: string, mps: number): Promise<void> {
    await this.#client.hset(this.#keys.senderPace(senderId), 'mps', mps);
  }

  /** The rate configured for a sender, if any. */
  async rateOf(senderId: string): Promise<number | undefined> {
    const mps = await this.#client.hget(this.#keys.senderPace(senderId), 'mps');
    return mps === null ? undefined : Number(mps);
  }
}
