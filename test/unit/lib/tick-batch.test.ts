import { describe, expect, it } from '@jest/globals';
import { setImmediate as nextTurn } from 'node:timers/promises';

import { tickBatch, tickBatchBy } from '../../../src/lib/tick-batch.js';

describe('tickBatch', () => {
  it('makes one lookup for the asks of one turn, and answers each ask with its own key', async () => {
    const lookups: string[][] = [];
    const ask = tickBatch(async (keys: readonly string[]) => {
      lookups.push([...keys]);
      return keys.map((key) => key.toUpperCase());
    });
    const first = await Promise.all([ask('a'), ask('b'), ask('a')]);
    const second = await ask('c');
    expect(first).toEqual(['A', 'B', 'A']);
    expect(second).toBe('C');
    expect(lookups).toEqual([['a', 'b', 'a'], ['c']]);
  });

  it('keeps asks made while a lookup is under way for the next one', async () => {
    const lookups: number[][] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const ask = tickBatch(async (keys: readonly number[]) => {
      lookups.push([...keys]);
      await held;
      return keys.map((key) => key * 10);
    });
    const early = ask(1);
    await nextTurn();
    const late = ask(2);
    release();
    await expect(Promise.all([early, late])).resolves.toEqual([10, 20]);
    expect(lookups).toEqual([[1], [2]]);
  });

  it('fails every ask of a batch whose lookup fails, and asks again afresh afterwards', async () => {
    let fail = true;
    const ask = tickBatch(async (keys: readonly string[]) => {
      if (fail) throw new Error('redis away');
      return keys.map(() => true);
    });
    const results = await Promise.allSettled([ask('a'), ask('b')]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(ask('a')).resolves.toBe(true);
  });

  it('fails an ask that the lookup left unanswered rather than answer it undefined', async () => {
    const ask = tickBatch(async (keys: readonly string[]) => keys.slice(1).map(() => 1));
    const [first, second] = await Promise.allSettled([ask('a'), ask('b')]);
    expect(first).toEqual({ status: 'fulfilled', value: 1 });
    expect(second.status).toBe('rejected');
  });
});

describe('tickBatchBy', () => {
  it('makes one lookup per group for the asks of one turn', async () => {
    const lookups: [string, number[]][] = [];
    const ask = tickBatchBy(async (group: string, keys: readonly number[]) => {
      lookups.push([group, [...keys]]);
      return keys.map((key) => `${group}${key}`);
    });
    await expect(Promise.all([ask('a', 1), ask('b', 2), ask('a', 3)])).resolves.toEqual(['a1', 'b2', 'a3']);
    expect(lookups).toEqual([
      ['a', [1, 3]],
      ['b', [2]],
    ]);
  });
});
