import { describe, expect, it } from '@jest/globals';

import { formatZoned, instantOfWallTime, zoneLabel } from '../../../src/lib/zoned-time.js';

const AT = Date.UTC(2026, 10, 27, 14, 5, 9);

describe('formatZoned', () => {
  it.each([
    ['America/New_York', {}, '2026-11-27 09:05 America/New_York'],
    ['Europe/Paris', { seconds: true }, '2026-11-27 15:05:09 Europe/Paris'],
    ['UTC', {}, '2026-11-27 14:05 UTC'],
    ['Etc/UTC', { date: false }, '14:05 UTC'],
    ['Asia/Kolkata', { date: false }, '19:35 Asia/Kolkata'],
  ])('in %s %j', (zone, options, text) => {
    expect(formatZoned(AT, zone, options)).toBe(text);
  });

  it('names the date in the zone, which may not be the UTC date', () => {
    expect(formatZoned(Date.UTC(2026, 10, 27, 2, 0), 'America/Los_Angeles')).toBe(
      '2026-11-26 18:00 America/Los_Angeles',
    );
  });
});

describe('instantOfWallTime', () => {
  it('inverts formatZoned in zones east and west, summer and winter', () => {
    for (const zone of ['America/New_York', 'Europe/Paris', 'Asia/Kolkata', 'Australia/Sydney', 'UTC']) {
      for (const month of [1, 7]) {
        const at = instantOfWallTime({ year: 2027, month, day: 15, hour: 9, minute: 30 }, zone);
        expect(formatZoned(at, zone)).toBe(`2027-${String(month).padStart(2, '0')}-15 09:30 ${zoneLabel(zone)}`);
      }
    }
  });
});
