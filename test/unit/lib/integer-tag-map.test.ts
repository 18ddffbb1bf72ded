import { describe, expect, it } from '@jest/globals';

import { IntegerTagMap, MAX_KEY, MAX_TAG } from '../../../src/lib/integer-tag-map.js';

describe('IntegerTagMap', () => {
  it('keeps the first tag of each key, and 0 for a key it does not hold, across the whole key range', () => {
    const map = new IntegerTagMap();
    const keys = [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 999_999_999_999_999, MAX_KEY];
    expect(keys.map((key, index) => map.add(key, index + 1))).toEqual(keys.map(() => 0));
    expect(keys.map((key) => map.get(key))).toEqual(keys.map((_, index) => index + 1));
    expect(map.add(2 ** 32, MAX_TAG)).toBe(4);
    expect(map.get(2 ** 32)).toBe(4);
    expect(map.size).toBe(keys.length);
    // The same low word with another high word, and the other way round.
    expect(map.get(2 ** 33)).toBe(0);
    expect(map.get(2 ** 32 + 2)).toBe(0);
  });

  it('agrees with a Map over a hundred thousand numbers, at 8 bytes a slot and 64% to 80% full', () => {
    const map = new IntegerTagMap();
    const reference = new Map<number, number>();
    const answers: number[] = [];
    const expected: number[] = [];
    // E.164 numbers as the dry run gives them, a fifth of them repeated.
    for (let index = 0; index < 100_000; index++) {
      const key = 12_122_000_000 + ((index * 7919) % 80_000);
      const tag = (index % 3) + 1;
      expected.push(reference.get(key) ?? 0);
      if (!reference.has(key)) reference.set(key, tag);
      answers.push(map.add(key, tag));
    }
    expect(answers).toEqual(expected);
    expect(map.size).toBe(reference.size);
    expect([...reference.keys()].map((key) => map.get(key))).toEqual([...reference.values()]);
    expect(Array.from({ length: 1000 }, (_, index) => map.get(12_122_080_000 + index))).toEqual(Array(1000).fill(0));
    // 10 to 12.5 bytes a number, and a little over while a shard's capacity is rounded up.
    expect(map.bytes / map.size).toBeGreaterThanOrEqual(10);
    expect(map.bytes / map.size).toBeLessThanOrEqual(12.6);
  });

  it('refuses keys and tags it cannot hold, rather than confuse them', () => {
    const map = new IntegerTagMap();
    for (const key of [MAX_KEY + 1, -1, 1.5]) expect(() => map.add(key, 1)).toThrow(RangeError);
    for (const tag of [0, MAX_TAG + 1]) expect(() => map.add(1, tag)).toThrow(RangeError);
    expect(map.size).toBe(0);
  });
});
