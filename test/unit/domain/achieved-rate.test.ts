import { describe, expect, it } from '@jest/globals';

import { achievedRate, type Arrival } from '../../../src/domain/achieved-rate.js';

const at = (...times: number[]): Arrival[] => times.map((time) => ({ at: time, cost: 1 }));

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
