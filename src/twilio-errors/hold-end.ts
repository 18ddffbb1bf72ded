import { utcOffsetMinutes } from '../lib/zoned-time.js';
import type { HoldEnd } from './error-entry.js';

const HOUR_MS = 3_600_000;

/**
 * Twilio counts its daily cap over a rolling 24 hours and says nothing of when the oldest message leaves it, so
 * without a Retry-After the only wait known to be long enough is a full window from the refusal.
 */
export const DAILY_CAP_WINDOW_MS = 24 * HOUR_MS;

/** T-Mobile resets a brand's daily cap at midnight Pacific time. */
export const DAILY_RESET_ZONE = 'America/Los_Angeles';

export interface HoldClock {
  /** ms since epoch; the hold is counted from here. */
  now: number;
  /** Twilio's Retry-After on the answer, which wins when given. */
  retryAfterMs?: number;
  /** The hold after a rolling-day cap without a Retry-After. @defaultValue DAILY_CAP_WINDOW_MS */
  dailyCapHoldMs?: number;
}

/** When a hold that began at `clock.now` ends (ms since epoch). Pure. */
export function computeHoldEnd(end: HoldEnd, clock: HoldClock): number {
  const { now, retryAfterMs } = clock;
  if (retryAfterMs !== undefined) return now + retryAfterMs;
  switch (end) {
    case 'rolling-hour':
      return now + HOUR_MS;
    case 'rolling-day':
      return now + (clock.dailyCapHoldMs ?? DAILY_CAP_WINDOW_MS);
    case 'daily-reset':
      return nextMidnightIn(DAILY_RESET_ZONE, now);
  }
}

/**
 * The first local midnight in `zone` after `now`. The offset at `now` can differ from the offset at that midnight
 * when a DST change falls in between, so the result is corrected by the offset read at the first guess.
 */
export function nextMidnightIn(zone: string, now: number): number {
  const offsetAt = (at: number) => utcOffsetMinutes(zone, new Date(at)) * 60_000;
  const localMidnight = (Math.floor((now + offsetAt(now)) / (24 * HOUR_MS)) + 1) * 24 * HOUR_MS;
  return localMidnight - offsetAt(localMidnight - offsetAt(now));
}
