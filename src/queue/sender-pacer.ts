import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { type Clock, LOCAL_CLOCK } from './redis-clock.js';
import type { RedisClient } from './redis-connection.js';

import { type PacingPolicy, claimFreshnessMs, DEFAULT_PACING } from '../domain/pacing.js';
import { parseSenderHold, type SenderHold } from '../domain/sender-hold.js';
import { tickBatchBy } from '../lib/tick-batch.js';
import type { Keys } from '../store/keys.js';
import { CLAIM_DISPATCH, HOLD_BACK, RESERVE_SLOT } from './pace-scripts.js';

/** Longest single wait before asking for a slot again, so a rate raised meanwhile is noticed soon. */
const MAX_POLL_MS = 2000;
/**
 * Times a send claims again because its claim came back late (see claimFreshnessMs), before it goes with the last
 * one: on a host so starved that every round trip is late, claiming forever would stop the sender instead.
 */
const MAX_RECLAIMS = 3;
/** Spreads the retries of the workers that were turned away together, so they do not all ask at once. */
const POLL_JITTER_MS = 25;

/** One send's answer from a gathered reserve: its slot in `waitMs`, or none yet, or the sender's hold. */
type ReserveAnswer =
  { kind: 'slot'; waitMs: number } | { kind: 'later'; waitMs: number } | { kind: 'held'; hold: SenderHold | undefined };

/** A send's ask of a gathered claim: cost, rate to use when none is set, nonce, a member to withdraw or ''. */
type ClaimAsk = readonly [number, number, string, string];

/** One send's answer from a gathered claim: logged as `member` by a call that went out at `askedAt`, or ms to wait. */
type ClaimAnswer = { member: string; tight: boolean; askedAt: number } | { waitMs: number };

/** See SenderPacer.dispatchGuard; shaped as the gate of a send's context (send/dispatch-gate.ts), which passes it. */
export interface DispatchGuard {
  gate(): Promise<void>;
  fresh(): boolean;
}

/**
 * Paces sends per sender across every process sharing the Redis: `reserve` resolves at the send's slot, and its
 * `dispatchGuard` lets it leave once the sender's recent dispatches leave room for it. A process that is turned away
 * holds no slot while it waits, so a pause or a rate change takes effect at once.
 */
export class SenderPacer {
  readonly #client: RedisClient;
  readonly #keys: Keys;
  readonly #policy: PacingPolicy;
  /** Whether a sender's pause is over is judged by this clock (Redis's, in a worker); its pace by Redis's TIME. */
  readonly #clock: Clock;
  /**
   * The reserves a worker's sends ask for in one turn of its event loop, one script call per sender: most of a
   * call's cost to Redis is the call itself, and the slots are the ones the same calls in a row would get.
   */
  readonly #reserve = tickBatchBy((senderId: string, asks: readonly (readonly [number, number])[]) =>
    this.#reserveAll(senderId, asks),
  );
  /** The dispatch guard's claims, gathered as the reserves are: one CLAIM_DISPATCH call per sender and turn. */
  readonly #claim = tickBatchBy((senderId: string, asks: readonly ClaimAsk[]) => this.#claimAll(senderId, asks));

  constructor(client: RedisClient, keys: Keys, policy: PacingPolicy = DEFAULT_PACING, clock: Clock = LOCAL_CLOCK) {
    this.#client = client;
    this.#keys = keys;
    this.#policy = policy;
    this.#clock = clock;
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
      const answer = await this.#reserve(senderId, [cost, defaultMps]);
      if (answer.kind === 'held') {
        // The script judged the pause by the same `now` as parseSenderHold, so this always holds; were it not, ask
        // again.
        if (answer.hold !== undefined) return { kind: 'held', hold: answer.hold };
        continue;
      }
      if (answer.kind === 'slot') {
        if (answer.waitMs > 0) await sleep(answer.waitMs, undefined, options);
        return { kind: 'slot', waitedMs: performance.now() - started };
      }
      await sleep(Math.min(answer.waitMs, MAX_POLL_MS) + Math.random() * POLL_JITTER_MS, undefined, options);
    }
  }

  /** One RESERVE_SLOT call for a sender's sends `[cost, default rate]`, answered in their order. */
  async #reserveAll(senderId: string, asks: readonly (readonly [number, number])[]): Promise<ReserveAnswer[]> {
    const keys = [this.#keys.senderPace(senderId), this.#keys.senderHold(senderId)];
    const now = this.#clock.now();
    const args = [1 - this.#policy.headroom, this.#policy.horizonMs, now, ...asks.flat()];
    const [code, ...rest] = (await RESERVE_SLOT.run(this.#client, keys, args)) as [number, ...(string | number)[]];
    if (code === 2) {
      const [state = '', holdCode = '', reason = '', since = '0', until = '0'] = rest.map(String);
      const hold = parseSenderHold({ state, code: holdCode, reason, since, until }, 'sender', now);
      return asks.map(() => ({ kind: 'held', hold }));
    }
    const flat = [code, ...rest].map(Number);
    return asks.map((_, index) => ({
      kind: flat[2 * index] === 1 ? 'slot' : 'later',
      waitMs: flat[2 * index + 1] ?? 0,
    }));
  }

  /**
   * One send's dispatch guard, for a caller that writes its request a little after passing it (send/dispatch-gate.ts):
   * `gate` resolves when the sender's recent dispatches leave room for this send within its limit, and claims the
   * send's place in the sender's log, withdrawing its previous claim if it had one; `fresh`, asked right before the
   * request is written, says whether that claim still counts as the moment the send leaves. Redis logs a send when it
   * runs the claim; if the send leaves more than claimFreshnessMs later (the worker or Redis was starved of CPU, or
   * other work ran first), it could bunch up with the next, so it must pass again — but only where the window is
   * nearly full, and at most MAX_RECLAIMS times.
   */
  dispatchGuard(senderId: string, cost: number, defaultMps: number, signal?: AbortSignal): DispatchGuard {
    const options = signal === undefined ? {} : { signal };
    const nonce = randomUUID();
    const freshMs = claimFreshnessMs(this.#policy.headroom);
    const claim = this.#claim;
    let member: string | undefined;
    let tight = false;
    let askedAt = 0;
    let reclaims = 0;
    return {
      async gate() {
        let withdraw = member;
        if (withdraw !== undefined) reclaims++;
        for (;;) {
          const answer = await claim(senderId, [cost, defaultMps, nonce, withdraw ?? '']);
          if ('member' in answer) {
            ({ member, tight, askedAt } = answer);
            return;
          }
          withdraw = member = undefined;
          await sleep(answer.waitMs, undefined, options);
        }
      },
      fresh: () => !tight || reclaims >= MAX_RECLAIMS || performance.now() - askedAt <= freshMs,
    };
  }

  /**
   * One CLAIM_DISPATCH call for a sender's sends, answered in their order. A send's freshness counts from when the
   * call went out, the earliest Redis can have logged it.
   */
  async #claimAll(senderId: string, asks: readonly ClaimAsk[]): Promise<ClaimAnswer[]> {
    const keys = [this.#keys.senderDispatches(senderId), this.#keys.senderPace(senderId)];
    const { headroom, start } = this.#policy;
    const args = [1 - headroom / 2, start.marginMs, start.durationMs, ...asks.flat()];
    const askedAt = performance.now();
    const answers = (await CLAIM_DISPATCH.run(this.#client, keys, args)) as (number | [string, number])[];
    return answers.map((answer) =>
      Array.isArray(answer)
        ? { member: String(answer[0]), tight: Number(answer[1]) === 1, askedAt }
        : { waitMs: Number(answer) },
    );
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
