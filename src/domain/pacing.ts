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
