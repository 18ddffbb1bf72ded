import { describe, expect, it } from '@jest/globals';

import { fitParts } from '../../../src/lib/fit-parts.js';

describe('fitParts', () => {
  const parts = ['queued 1000000', 'sent 999999', 'delivered 123456', 'failed 7', 'pending 1'];

  it('joins the parts on one line when they fit', () => {
    expect(fitParts(parts, 200)).toEqual(['queued 1000000, sent 999999, delivered 123456, failed 7, pending 1']);
  });

  it('breaks only between parts, never inside a number, with every line within the width', () => {
    for (let width = 20; width <= 80; width += 1) {
      const lines = fitParts(parts, width, { first: 'c1: ', indent: '  ' });
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(width);
      expect(lines.join(' ').replace(/\s+/g, ' ')).toBe(`c1: ${parts.join(', ')}`);
    }
    expect(fitParts(parts, 32, { indent: '  ' })).toEqual([
      'queued 1000000, sent 999999,',
      '  delivered 123456, failed 7,',
      '  pending 1',
    ]);
  });

  it('gives a part wider than a line a line of its own rather than cutting it', () => {
    expect(fitParts(['a', 'a very long part indeed', 'b'], 10, { indent: ' ' })).toEqual([
      'a,',
      ' a very long part indeed,',
      ' b',
    ]);
  });

  it('uses another separator', () => {
    expect(fitParts(['12/s of 40/s limit', 'ETA 2 min'], 80, { separator: ' · ' })).toEqual([
      '12/s of 40/s limit · ETA 2 min',
    ]);
    expect(fitParts(['12/s of 40/s limit', 'ETA 2 min'], 20, { separator: ' · ' })).toEqual([
      '12/s of 40/s limit ·',
      'ETA 2 min',
    ]);
  });
});
