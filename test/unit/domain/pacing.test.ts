import { describe, expect, it } from '@jest/globals';

import {
  DEFAULT_PACING,
  fitConcurrencies,
  paceIntervalMs,
  processJobBudget,
  queueConcurrency,
} from '../../../src/domain/pacing.js';

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

  it('gives a process as many jobs as its sends in flight can use, horizon included', () => {
    // 200 sends of 500 ms each: 400 a second, each held 1.5 s from its horizon to its answer.
    expect(processJobBudget(200, DEFAULT_PACING)).toBe(600);
    expect(processJobBudget(50, { horizonMs: 1000, expectedLatencyMs: 200 })).toBe(300);
  });

  it('scales many queues down together to the budget, each keeping at least one job', () => {
    expect(fitConcurrencies([151, 3, 3], 600)).toEqual([151, 3, 3]);
    expect(fitConcurrencies([300, 300, 600], 600)).toEqual([150, 150, 300]);
    const thousand = fitConcurrencies(
      Array.from({ length: 1000 }, () => 50),
      600,
    );
    expect(new Set(thousand)).toEqual(new Set([1]));
    expect(
      fitConcurrencies(
        Array.from({ length: 100 }, () => 50),
        600,
      ),
    ).toEqual(Array.from({ length: 100 }, () => 6));
  });
});
