import { describe, expect, it } from '@jest/globals';

import { isTimeZone, nextResetAt } from '../../../src/domain/daily-reset.js';

const at = (iso: string) => Date.parse(iso);
const next = (resetAt: string, zone: string, now: string) =>
  new Date(nextResetAt(resetAt, zone, at(now))).toISOString();

describe('nextResetAt', () => {
  it.each([
    // T-Mobile's midnight Pacific is 08:00 UTC in winter (PST) and 07:00 UTC in summer (PDT).
    ['00:00', 'America/Los_Angeles', '2026-11-23T10:00:00Z', '2026-11-24T08:00:00.000Z'],
    ['00:00', 'America/Los_Angeles', '2026-11-23T07:59:59Z', '2026-11-23T08:00:00.000Z'],
    ['00:00', 'America/Los_Angeles', '2026-11-23T08:00:00Z', '2026-11-24T08:00:00.000Z'],
    ['00:00', 'America/Los_Angeles', '2026-07-01T12:00:00Z', '2026-07-02T07:00:00.000Z'],
    // Across the spring change: the next midnight is already on daylight time.
    ['00:00', 'America/Los_Angeles', '2026-03-08T12:00:00Z', '2026-03-09T07:00:00.000Z'],
    // 02:30 does not exist that night: the clock jumps from 02:00 to 03:00, and the reset falls at 03:30.
    ['02:30', 'America/Los_Angeles', '2026-03-08T05:00:00Z', '2026-03-08T10:30:00.000Z'],
    ['08:00', 'Europe/Berlin', '2026-10-25T05:00:00Z', '2026-10-25T07:00:00.000Z'],
    ['00:00', 'UTC', '2026-12-31T23:59:00Z', '2027-01-01T00:00:00.000Z'],
  ])('%s in %s after %s is %s', (resetAt, zone, now, expected) => {
    expect(next(resetAt, zone, now)).toBe(expected);
  });

  it('knows time zones from anything else', () => {
    expect(isTimeZone('America/Los_Angeles')).toBe(true);
    expect(isTimeZone('Pacific')).toBe(false);
  });
});
