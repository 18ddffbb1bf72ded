import { describe, expect, it } from '@jest/globals';

import { FileOrder } from '../../../src/ingest/file-order.js';

describe('FileOrder', () => {
  it('releases at once what no open span precedes', () => {
    const order = new FileOrder<string>();
    order.add(3, 'c');
    order.add(5, 'e');
    expect(order.release()).toEqual(['c', 'e']);
    expect(order.release()).toEqual([]);
  });

  it("holds what comes after an open span's first line until it closes, then releases all in line order", () => {
    const order = new FileOrder<string>();
    order.add(2, 'refused before the chunk');
    const close = order.open(10);
    // Read and refused while the chunk from line 10 is at Redis.
    order.add(12, 'refused inside the chunk');
    order.add(40, 'refused after it');
    expect(order.release()).toEqual(['refused before the chunk']);
    // The chunk's own answer: an opt-out at a line before the rows refused meanwhile.
    order.add(11, 'opted out');
    close();
    expect(order.release()).toEqual(['opted out', 'refused inside the chunk', 'refused after it']);
  });

  it('releases up to the earliest span still open, whichever closes first', () => {
    const order = new FileOrder<string>();
    const first = order.open(1);
    const second = order.open(100);
    order.add(150, 'in the second');
    order.add(50, 'in the first');
    second();
    expect(order.release()).toEqual([]);
    first();
    expect(order.release()).toEqual(['in the first', 'in the second']);
  });

  it('keeps items of the same line in the order they came', () => {
    const order = new FileOrder<string>();
    order.add(7, 'one');
    order.add(7, 'two');
    expect(order.release()).toEqual(['one', 'two']);
  });
});
