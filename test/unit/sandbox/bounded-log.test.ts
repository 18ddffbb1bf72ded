import { describe, expect, it } from '@jest/globals';
import { BoundedLog } from '../../../src/sandbox/bounded-log.js';

describe('BoundedLog', () => {
  it('keeps everything up to its capacity', () => {
    const log = new BoundedLog<number>(5);
    for (let value = 0; value < 5; value += 1) log.push(value);
    expect(log.items()).toEqual([0, 1, 2, 3, 4]);
  });

  it('drops the oldest tenth (at least the excess) when full and reports what it dropped', () => {
    const evicted: number[] = [];
    const log = new BoundedLog<number>(100, (items) => evicted.push(...items));
    for (let value = 0; value < 101; value += 1) log.push(value);
    expect(log.items()).toHaveLength(91);
    expect(log.items()[0]).toBe(10);
    expect(evicted).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('forgets everything on clear', () => {
    const log = new BoundedLog<number>(2);
    log.push(1);
    log.clear();
    expect(log.items()).toEqual([]);
  });
});
