/** First retry waits up to this long; each further attempt doubles it. */
export const BACKOFF_BASE_MS = 1000;
/** No single wait is longer than this. */
export const BACKOFF_CAP_MS = 60_000;

/**
 * Exponential backoff with full jitter (a uniformly random wait up to the exponential bound), which spreads the
 * retries of many workers that failed together; a `Retry-After` from Twilio wins when it is given.
 */
export function computeBackoffMs(
  attemptsMade: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, BACKOFF_CAP_MS);
  const bound = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attemptsMade - 1));
  return Math.floor(random() * bound);
}
