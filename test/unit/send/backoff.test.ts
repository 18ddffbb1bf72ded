import { describe, expect, it } from '@jest/globals';

import { BACKOFF_CAP_MS, computeBackoffMs } from '../../../src/send/backoff.js';

describe('computeBackoffMs', () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [6, 32_000],
    [7, BACKOFF_CAP_MS],
    [30, BACKOFF_CAP_MS],
  ])('after %i attempt(s) waits up to %i ms (full jitter)', (attemptsMade, bound) => {
    expect(computeBackoffMs(attemptsMade, undefined, () => 0.999_999)).toBe(bound - 1);
    expect(computeBackoffMs(attemptsMade, undefined, () => 0)).toBe(0);
    expect(computeBackoffMs(attemptsMade, undefined, () => 0.5)).toBe(bound / 2);
  });

  it('spreads waits uniformly rather than bunching them at the bound', () => {
    const waits = Array.from({ length: 2000 }, () => computeBackoffMs(4));
    const mean = waits.reduce((sum, wait) => sum + wait, 0) / waits.length;
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...waits)).toBeLessThan(8000);
    expect(mean).toBeGreaterThan(3500);
    expect(mean).toBeLessThan(4500);
  });

  it('honours Retry-After, capped', () => {
    expect(computeBackoffMs(1, 4500)).toBe(4500);
    expect(computeBackoffMs(1, 10 * 60_000)).toBe(BACKOFF_CAP_MS);
  });
});
