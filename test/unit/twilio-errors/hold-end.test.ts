import { describe, expect, it } from '@jest/globals';

import { computeHoldEnd, nextMidnightIn } from '../../../src/twilio-errors/hold-end.js';

const at = (iso: string) => Date.parse(iso);

describe('nextMidnightIn', () => {
  it.each([
    ['winter (PST, UTC-8)', '2026-11-23T10:00:00Z', '2026-11-24T08:00:00Z'],
    ['summer (PDT, UTC-7)', '2026-06-15T20:00:00Z', '2026-06-16T07:00:00Z'],
    ['at midnight: the next one', '2026-06-01T07:00:00Z', '2026-06-02T07:00:00Z'],
    ['just before midnight', '2026-06-01T06:59:59Z', '2026-06-01T07:00:00Z'],
    ['the evening before clocks go forward', '2026-03-08T07:30:00Z', '2026-03-08T08:00:00Z'],
    ['the day clocks went forward', '2026-03-08T12:00:00Z', '2026-03-09T07:00:00Z'],
    ['the evening before clocks go back', '2026-10-31T23:00:00Z', '2026-11-01T07:00:00Z'],
    ['the day clocks went back', '2026-11-01T12:00:00Z', '2026-11-02T08:00:00Z'],
  ])('America/Los_Angeles, %s', (_case, now, expected) => {
    expect(new Date(nextMidnightIn('America/Los_Angeles', at(now))).toISOString()).toBe(
      new Date(at(expected)).toISOString(),
    );
  });
});

describe('computeHoldEnd', () => {
  const now = at('2026-11-23T10:00:00Z');

  it('takes Twilio’s Retry-After whatever the cap', () => {
    for (const end of ['rolling-hour', 'rolling-day', 'daily-reset'] as const) {
      expect(computeHoldEnd(end, { now, retryAfterMs: 5000 })).toBe(now + 5000);
    }
  });

  it('else an hour, a configured day (24 h by default), or the next reset at midnight Pacific', () => {
    expect(computeHoldEnd('rolling-hour', { now })).toBe(now + 3_600_000);
    expect(computeHoldEnd('rolling-day', { now })).toBe(now + 86_400_000);
    expect(computeHoldEnd('rolling-day', { now, dailyCapPauseMs: 60_000 })).toBe(now + 60_000);
    expect(computeHoldEnd('daily-reset', { now })).toBe(at('2026-11-24T08:00:00Z'));
  });
});
