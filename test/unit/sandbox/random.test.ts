import { describe, expect, it } from '@jest/globals';
import { drawBetween, drawWeighted, makeRandom } from '../../../src/sandbox/random.js';

const take = (seed: number, count: number): number[] => {
  const random = makeRandom(seed);
  return Array.from({ length: count }, () => random());
};

describe('makeRandom', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    expect(take(42, 50)).toEqual(take(42, 50));
    expect(take(42, 50)).not.toEqual(take(43, 50));
  });

  it('is mulberry32: seed 1 starts 0.6270739405881613, as the widely quoted JavaScript original', () => {
    expect(take(1, 1)).toEqual([0.6270739405881613]);
    expect(take(1, 3).map((value) => value * 4_294_967_296)).toEqual([2_693_262_067, 11_749_833, 2_265_367_787]);
  });

  it('stays in [0, 1) and spreads evenly', () => {
    const values = take(7, 20_000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const belowHalf = values.filter((value) => value < 0.5).length;
    expect(belowHalf / values.length).toBeCloseTo(0.5, 1);
  });
});

describe('drawBetween', () => {
  it('maps the draw onto the range', () => {
    expect(drawBetween(() => 0, { min: 10, max: 20 })).toBe(10);
    expect(drawBetween(() => 0.5, { min: 10, max: 20 })).toBe(15);
    expect(drawBetween(() => 0.25, { min: 5, max: 5 })).toBe(5);
  });
});

describe('drawWeighted', () => {
  const weights = [
    ['a', 1],
    ['b', 0],
    ['c', 3],
  ] as const;

  it.each([
    [0, 'a'],
    [0.2499, 'a'],
    [0.25, 'c'],
    [0.9999, 'c'],
  ])('draw %f picks %s (a weight of 0 is never picked)', (draw, key) => {
    expect(drawWeighted(() => draw, weights)).toBe(key);
  });
});
