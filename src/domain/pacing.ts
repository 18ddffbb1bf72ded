/**
 * Pacing maths, pure. Sends are spaced `cost / rate` apart, each slot reserved in Redis across every process, at the
 * full rate: Twilio queues what a sender cannot send at once, so a send that leaves a few milliseconds late or early
 * only waits that much at Twilio, and nothing is lost by using the whole limit.
 */

export interface PacingPolicy {
  /** How far ahead a worker may reserve a slot, in ms; a send further out waits without holding a slot. */
  horizonMs: number;
  /** Time a create call is expected to take, in ms, to size how many sends to keep in flight. */
  expectedLatencyMs: number;
}

export const DEFAULT_PACING: PacingPolicy = {
  horizonMs: 1000,
  expectedLatencyMs: 500,
};

/** Milliseconds of a limit's time a message of `cost` (SMS segments, else 1) uses at `mps` per second. */
export function paceIntervalMs(cost: number, mps: number): number {
  return (cost * 1000) / mps;
}

/**
 * Jobs one worker process should hold for a sender queue: enough to keep the sender busy while sends take
 * `expectedLatencyMs` and slots are reserved up to `horizonMs` ahead (Little's law), bounded by `cap`. A 1 MPS long
 * code needs 3; a 100 MPS short code 151.
 */
export function queueConcurrency(mps: number, policy: PacingPolicy, cap: number): number {
  const needed = Math.ceil((mps * (policy.horizonMs + policy.expectedLatencyMs)) / 1000) + 1;
  return Math.max(1, Math.min(cap, needed));
}

/**
 * The most jobs one worker process can use at once, over all its queues: `maxInFlight` sends in flight, each taking
 * `expectedLatencyMs`, can send at most `maxInFlight / latency` per second, and a job is held from `horizonMs`
 * before its slot until its answer (Little's law again). Jobs held beyond it only wait in the process, with a lock
 * to renew, for a send it has no room for.
 */
export function processJobBudget(maxInFlight: number, policy: PacingPolicy): number {
  return Math.ceil((maxInFlight * (policy.horizonMs + policy.expectedLatencyMs)) / policy.expectedLatencyMs);
}

/**
 * Queue concurrencies scaled down together so that their sum keeps within `budget`, each at least 1; unchanged when
 * they already do. A pool of a thousand numbers each limited on its own is a thousand queues whose Little's-law
 * sizes add up to far more than the process can send.
 */
export function fitConcurrencies(sizes: readonly number[], budget: number): number[] {
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (total <= budget) return [...sizes];
  return sizes.map((size) => Math.max(1, Math.floor((size * budget) / total)));
}
