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
    expect(parseSendAt(text, now, 'Asia/Tokyo')).toEqual({ ok: true, at: new Date(iso) });
  });

  it.each([
    ['America/New_York', '2026-11-23 09:30', '2026-11-23T14:30:00.000Z'],
    ['America/New_York', '2026-11-23T09:30:15.5', '2026-11-23T14:30:15.500Z'],
    ['Europe/Paris', '2026-11-23T09:30', '2026-11-23T08:30:00.000Z'],
    // Summer time in Paris: two hours ahead of UTC.
    ['Europe/Paris', '2027-07-01 09:00', '2027-07-01T07:00:00.000Z'],
    ['UTC', '2026-11-23 09:30', '2026-11-23T09:30:00.000Z'],
    // 02:30 does not exist on the night New York springs forward: read with the offset before the change (03:30).
    ['America/New_York', '2027-03-14 02:30', '2027-03-14T07:30:00.000Z'],
    // 01:30 happens twice on the night it falls back: the first one.
    ['America/New_York', '2027-11-07 01:30', '2027-11-07T05:30:00.000Z'],
  ])('reads a time without an offset in the operator’s zone (%s): %s', (zone, text, iso) => {
    expect(parseSendAt(text, now, zone)).toEqual({ ok: true, at: new Date(iso) });
  });

  it.each([
    ['tomorrow', /is not a time.*read as America\/New_York/],
    ['2026-13-01T09:00:00Z', /is not a time/],
    ['2026-02-30 09:00', /is not a time/],
    ['2026-11-24 25:00', /is not a time/],
    ['09:00', /is not a time/],
    ['+5x', /is not a time/],
    [
      '2026-11-23T07:59:59Z',
      /^--send-at 2026-11-23 02:59:59 America\/New_York is in the past \(now is 2026-11-23 03:00:00 America\/New_York\)$/,
    ],
    ['2026-11-23 02:00', /^--send-at 2026-11-23 02:00:00 America\/New_York is in the past/],
    ['+0s', /is in the past/],
    ['2028-01-01T00:00:00Z', /more than a year ahead/],
  ])('refuses %s with one line that names the zone', (text, reason) => {
    const parsed = parseSendAt(text, now, 'America/New_York');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});
