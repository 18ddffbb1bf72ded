import { describe, expect, it } from '@jest/globals';

import { achievedRate, type Arrival, worstWindow } from '../../../src/domain/rate-window.js';

const at = (...times: number[]): Arrival[] => times.map((time) => ({ at: time, cost: 1 }));

describe('worstWindow', () => {
  it.each<[string, Arrival[], number]>([
    ['evenly spaced at the limit', at(0, 1000, 2000, 3000), 1],
    ['two inside one second', at(0, 999, 2000), 2],
    ['a window is half-open: 1000 ms apart is two windows', at(0, 1000), 1],
    ['order of arrival does not matter', at(2500, 100, 900, 2000, 1050), 3],
    ['nothing', [], 0],
    [
      'costs add up',
      [
        { at: 0, cost: 3 },
        { at: 500, cost: 3 },
        { at: 1600, cost: 1 },
      ],
      6,
    ],
  ])('%s', (_case, arrivals, worst) => {
    expect(worstWindow(arrivals, 1000)).toBe(worst);
  });
});

describe('achievedRate', () => {
  it('is the cost after the first arrival over the time from first to last', () => {
    expect(achievedRate(at(0, 250, 500, 750, 1000))).toBe(4);
    expect(
      achievedRate([
        { at: 0, cost: 3 },
        { at: 3000, cost: 3 },
      ]),
    ).toBe(1);
    expect(achievedRate(at(5))).toBe(0);
  });
});
