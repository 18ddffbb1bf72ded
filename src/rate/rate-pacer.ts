import { setTimeout as sleep } from 'node:timers/promises';

import { nextResetAt } from '../domain/daily-reset.js';
import { type Hold, parseHold } from '../domain/hold.js';
import { DEFAULT_PACING, type PacingPolicy } from '../domain/pacing.js';
import { type ChainLink, intervalMs, type RateChain } from '../domain/rate-group.js';
import type { Keys } from '../store/keys.js';
import { type Clock, LOCAL_CLOCK } from '../redis/redis-clock.js';
import type { RedisClient } from '../redis/redis-connection.js';
import { TAKE_CAPACITY, THROTTLE } from './rate-scripts.js';

/** Longest single wait before asking for a slot again, so a limit raised meanwhile is noticed soon. */
const MAX_POLL_MS = 2000;
/** Spreads the retries of the sends that were turned away together, so they do not all ask at once. */
const POLL_JITTER_MS = 25;

export type TakeAnswer =
  /** `at`: when the slot fell due, ms since the epoch (this process's clock). */
  | { kind: 'slot'; waitedMs: number; at: number }
  /** A link is halted or held until a time; `capped`: this call found its daily cap reached and put the hold on. */
  | { kind: 'held'; link: ChainLink; hold: Hold; capped: boolean };

/**
 * Paces sends across every process sharing the Redis, by rate chain: `take` resolves at the send's slot, once its
 * cost is taken from every link of its sender's chain. A send that is turned away holds no slot while it waits, so a
 * hold or a change of limits takes effect at once.
 */
export class RatePacer {
  readonly #client: RedisClient;
  readonly #keys: Keys;
  readonly #policy: PacingPolicy;
  /** A daily cap's reset and whether a hold is over are judged by this clock (Redis's, in a worker). */
  readonly #clock: Clock;
  /** Each capped link's next reset, computed in its zone, until it has passed. */
  readonly #resets = new Map<string, number>();

  constructor(client: RedisClient, keys: Keys, policy: PacingPolicy = DEFAULT_PACING, clock: Clock = LOCAL_CLOCK) {
    this.#client = client;
    this.#keys = keys;
    this.#policy = policy;
    this.#clock = clock;
  }

  get policy(): PacingPolicy {
    return this.#policy;
  }

  /** Takes `cost` from every link of the chain, waiting for the slot; or answers with the hold that stops it. */
  async take(chain: RateChain, cost: number, signal?: AbortSignal): Promise<TakeAnswer> {
    const options = signal === undefined ? {} : { signal };
    const started = performance.now();
    for (;;) {
      const now = this.#clock.now();
      const args = [this.#policy.horizonMs, cost, ...chain.links.flatMap((link) => this.#linkArgs(link, now))];
      const [kind, first, json] = (await TAKE_CAPACITY.run(this.#client, [this.#keys.rateChain(chain.tag)], args)) as [
        string,
        number | string,
        string | undefined,
      ];
      if (kind === 'slot') {
        const at = Date.now() + Number(first);
        if (Number(first) > 0) await sleep(Number(first), undefined, options);
        return { kind: 'slot', waitedMs: performance.now() - started, at };
      }
      if (kind === 'later') {
        await sleep(Math.min(Number(first), MAX_POLL_MS) + Math.random() * POLL_JITTER_MS, undefined, options);
        continue;
      }
      const link = chain.links.find((candidate) => candidate.id === first);
      // Judged by Redis's clock; a hold this clock sees ended already is no hold: ask again.
      const hold = parseHold(json, this.#clock.now());
      if (link !== undefined && hold !== undefined) return { kind: 'held', link, hold, capped: kind === 'capped' };
    }
  }

  /** Throttles one link of the chain for `ms`, in every process: no slot of it is given before then. */
  async throttle(chain: RateChain, link: ChainLink, ms: number): Promise<void> {
    await THROTTLE.run(this.#client, [this.#keys.rateChain(chain.tag)], [link.id, Math.ceil(ms)]);
  }

  #linkArgs(link: ChainLink, now: number): (string | number)[] {
    const interval = link.limit === undefined ? 0 : intervalMs(link.limit);
    const cap = link.dailyCap;
    if (cap === undefined) return [link.id, interval, 0, 0];
    let reset = this.#resets.get(link.id);
    if (reset === undefined || reset <= now) {
      reset = nextResetAt(cap.resetAt, cap.timeZone, now);
      this.#resets.set(link.id, reset);
    }
    return [link.id, interval, cap.segments, reset];
  }
}
