import { describe, expect, it } from '@jest/globals';

import { formatDuration } from '../../../src/lib/format-duration.js';

describe('formatDuration', () => {
  it.each([
    [0.66, '0.7 s'],
    [42.4, '42 s'],
    [250, '4 min 10 s'],
    [7980, '2 h 13 min'],
    [Number.NaN, '—'],
  ])('%s s → %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
