import { describe, expect, it } from '@jest/globals';

import { parseSendAt } from '../../../src/cli/parse-send-at.js';

const now = new Date('2026-11-23T08:00:00Z');

describe('parseSendAt', () => {
  it.each([
    ['2026-11-23T09:30:00Z', '2026-11-23T09:30:00.000Z'],
    ['2026-11-23T09:30Z', '2026-11-23T09:30:00.000Z'],
    ['2026-11-23 10:30+01:00', '2026-11-23T09:30:00.000Z'],
    ['2026-11-23T04:30:00-05:00', '2026-11-23T09:30:00.000Z'],
    ['+90s', '2026-11-23T08:01:30.000Z'],
    ['+15m', '2026-11-23T08:15:00.000Z'],
    ['+2h', '2026-11-23T10:00:00.000Z'],
    ['+1d', '2026-11-24T08:00:00.000Z'],
  ])('reads %s', (text, iso) => {
    expect(parseSendAt(text, now)).toEqual({ ok: true, at: new Date(iso) });
  });

  it.each([
    ['tomorrow', /is not a time/],
    ['2026-13-01T09:00:00Z', /is not a time/],
    ['09:00', /is not a time/],
    ['+5x', /is not a time/],
    [
      '2026-11-23T07:59:59Z',
      /^--send-at 2026-11-23T07:59:59\.000Z is in the past \(now is 2026-11-23T08:00:00\.000Z\)$/,
    ],
    ['+0s', /is in the past/],
    ['2028-01-01T00:00:00Z', /more than a year ahead/],
  ])('refuses %s with one line', (text, reason) => {
    const parsed = parseSendAt(text, now);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});
