import { describe, expect, it } from '@jest/globals';

import { DEFAULT_PACING, latenessToleranceMs, paceIntervalMs, queueConcurrency } from '../../../src/domain/pacing.js';
import { type Arrival, worstWindow } from '../../../src/domain/rate-window.js';

describe('pacing maths', () => {
  it('spaces a message by its cost over the rate, stretched by the headroom', () => {
    expect(paceIntervalMs(1, 1, 0)).toBe(1000);
    expect(paceIntervalMs(3, 1, 0)).toBe(3000);
    expect(paceIntervalMs(1, 100, 0.03)).toBeCloseTo(10.309, 3);
  });

  it('tolerates sends that leave late by up to the headroom’s margin, at any rate', () => {
    expect(latenessToleranceMs(0.03)).toBeCloseTo(30.93, 2);
    // Every other send leaves `lateMs` late, the worst pattern for a window's count.
    const worst = (mps: number, lateMs: number) => {
      const spacing = paceIntervalMs(1, mps, 0.03);
      const arrivals: Arrival[] = Array.from({ length: mps * 5 + 2 }, (_, index) => ({
        at: index * spacing + (index % 2 === 0 ? lateMs : 0),
        cost: 1,
      }));
      return worstWindow(arrivals, 1000);
    };
    for (const mps of [1, 3, 80, 100]) expect({ mps, over: worst(mps, 30) > mps }).toEqual({ mps, over: false });
    // Beyond the tolerance the guarantee is gone: a 1 MPS sender gets two arrivals into one second.
    expect(worst(1, 45)).toBe(2);
  });

  it('sizes a queue to keep its sender busy, within the cap', () => {
    expect(queueConcurrency(1, DEFAULT_PACING, 200)).toBe(3);
    expect(queueConcurrency(100, DEFAULT_PACING, 200)).toBe(151);
    expect(queueConcurrency(100, DEFAULT_PACING, 40)).toBe(40);
    expect(queueConcurrency(0.1, DEFAULT_PACING, 200)).toBe(2);
  });
});
