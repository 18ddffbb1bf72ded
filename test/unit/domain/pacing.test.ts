import { describe, expect, it } from '@jest/globals';

import { DEFAULT_PACING, paceIntervalMs, queueConcurrency } from '../../../src/domain/pacing.js';

describe('pacing maths', () => {
  it('spaces a message by its cost over the rate, at the full rate', () => {
    expect(paceIntervalMs(1, 1)).toBe(1000);
    expect(paceIntervalMs(3, 1)).toBe(3000);
    expect(paceIntervalMs(1, 100)).toBe(10);
  });

  it('sizes a queue to keep its sender busy, within the cap', () => {
    expect(queueConcurrency(1, DEFAULT_PACING, 200)).toBe(3);
    expect(queueConcurrency(100, DEFAULT_PACING, 200)).toBe(151);
    expect(queueConcurrency(100, DEFAULT_PACING, 40)).toBe(40);
    expect(queueConcurrency(0.1, DEFAULT_PACING, 200)).toBe(2);
  });
});
