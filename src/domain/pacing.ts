/**
 * Pacing maths, pure. A sender's sends are spaced `cost / (mps × (1 − headroom))` apart, each slot reserved in
 * Redis (queue/pace-scripts.ts). Spacing starts evenly, instead of letting a fixed window release a burst, and the
 * headroom is what makes "never more than the limit in any one-second window at the receiving end" hold when a
 * send leaves late: with spacing s = 1000 / (mps × f) ms, a window of 1000 ms can hold more than mps arrivals only
 * if some send was delayed by more than 1000 × (1/f − 1) ms — 42 ms for f = 0.96, at any rate. Lateness beyond
 * that is caught when the send leaves, by the dispatch guard.
 */

export interface PacingPolicy {
  /** Share of the limit left unused as a margin for late sends, e.g. 0.04. */
  headroom: number;
  /** How far ahead a worker may reserve a slot, in ms; a send further out waits without holding a slot. */
  horizonMs: number;
  /** Time a create call is expected to take, in ms, to size how many sends to keep in flight. */
  expectedLatencyMs: number;
  /**
   * How much later than they leave the dispatch guard counts the sends of a sender's first seconds after a quiet
   * spell, in ms, and how long that start lasts: then every process opens connections and queues at once, and sends
   * arrive up to tens of milliseconds later than they left, more than the headroom's jitter allowance.
   */
  start: { marginMs: number; durationMs: number };
}

export const DEFAULT_PACING: PacingPolicy = {
  headroom: 0.04,
  horizonMs: 1000,
  expectedLatencyMs: 500,
  start: { marginMs: 60, durationMs: 3000 },
};

/** Milliseconds of the sender's time a message of `cost` (SMS segments, else 1) uses. */
export function paceIntervalMs(cost: number, mps: number, headroom: number): number {
  return (cost * 1000) / (mps * (1 - headroom));
}

/** How late a send may leave, in ms, before a one-second window could receive more than the limit. */
export function latenessToleranceMs(headroom: number): number {
  return 1000 * (1 / (1 - headroom) - 1);
}

/**
 * How long a dispatch-guard claim may take to come back before its send must claim again, in ms. Redis logs a send
 * as leaving when it runs the claim; if the answer reaches the worker later (the worker or Redis starved of CPU),
 * the send would leave that much after its logged time and could bunch up with the next. The guard leaves half the
 * lateness tolerance for jitter between leaving and arriving; a claim's own round trip may use a third of that
 * (7 ms at 4% headroom), the rest is for the way to Twilio.
 */
export function claimFreshnessMs(headroom: number): number {
  return latenessToleranceMs(headroom) / 2 / 3;
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
