import { describe, expect, it } from '@jest/globals';

import { describeRecipientHold } from '../../../src/compliance/describe-hold.js';
import { legalHoldAt, usHoursOf } from '../../../src/compliance/legal-hold.js';
import { legalClosingAt } from '../../../src/compliance/quiet-hours.js';
import { asE164, type E164 } from '../../../src/domain/e164.js';
import { decodeHold, encodeHold } from '../../../src/store/held-recipients.js';

const number = (text: string): E164 =>
  asE164(text) ??
  (() => {
    throw new Error(text);
  })();
/** The hold at a UTC instant, with its end as an ISO string. */
const holdAt = (text: string, iso: string) => {
  const hold = legalHoldAt(number(text), Date.parse(iso));
  return hold === undefined ? undefined : { ...hold, until: new Date(hold.until).toISOString() };
};

// 2026-12-06 is a Sunday; in December New York is UTC-5, Chicago UTC-6, Los Angeles UTC-8.
describe('whether US law lets a recipient be texted at a given instant', () => {
  it.each([
    // 22:00 Monday in Miami: closed by both laws alike, and Florida's is named as the stricter one.
    ['Florida at 22:00', '+13055550100', '2026-12-08T03:00:00Z', '2026-12-08T13:00:00.000Z', 'FL', 'America/New_York'],
    // 20:30 in Miami: federal law allows it, Florida's does not.
    ['Florida at 20:30', '+13055550100', '2026-12-08T01:30:00Z', '2026-12-08T13:00:00.000Z', 'FL', 'America/New_York'],
    [
      'Texas at 10:00 on a Sunday',
      '+12145550100',
      '2026-12-06T16:00:00Z',
      '2026-12-06T18:00:00.000Z',
      'TX',
      'America/Chicago',
    ],
    [
      'Alabama on a Sunday afternoon',
      '+12055550100',
      '2026-12-06T20:00:00Z',
      '2026-12-07T14:00:00.000Z',
      'AL',
      'America/Chicago',
    ],
    [
      'Rhode Island at 09:30 on a Saturday',
      '+14015550100',
      '2026-12-05T14:30:00Z',
      '2026-12-05T15:00:00.000Z',
      'RI',
      'America/New_York',
    ],
    [
      'Puerto Rico at 23:00',
      '+17875550100',
      '2026-12-08T03:00:00Z',
      '2026-12-08T12:00:00.000Z',
      'federal',
      'America/Puerto_Rico',
    ],
  ])('%s: held until the next legal minute, with the rule that binds', (_, to, at, until, rule, zone) => {
    expect(holdAt(to, at)).toEqual({ until, rule, zone });
  });

  it.each([
    ['California at 14:00', '+14155550100', '2026-12-07T22:00:00Z'],
    ['Texas at 12:00 on a Sunday', '+12145550100', '2026-12-06T18:00:00Z'],
    ['Florida at 08:00', '+13055550100', '2026-12-08T13:00:00Z'],
    ['a UK number at any hour', '+447700900123', '2026-12-08T03:00:00Z'],
    ['a Canadian number at night', '+14165550100', '2026-12-08T05:00:00Z'],
  ])('%s: not held', (_, to, at) => {
    expect(holdAt(to, at)).toBeUndefined();
  });

  it('tells when a recipient who may be texted stops being allowed', () => {
    const hours = usHoursOf(number('+13055550100'))!;
    // 19:30 in Miami: Florida closes at 20:00.
    expect(legalClosingAt(hours, new Date('2026-12-08T00:30:00Z')).toISOString()).toBe('2026-12-08T01:00:00.000Z');
  });
});

describe('what the audit trail keeps and says of a hold', () => {
  it('keeps a hold small and reads it back', () => {
    const hold = { reason: 'quiet-hours' as const, until: 1_765_000_000_000, rule: 'TX', zone: 'America/Chicago' };
    expect(encodeHold(hold)).toBe('["quiet-hours",1765000000000,"TX","America/Chicago"]');
    expect(decodeHold(encodeHold(hold))).toEqual(hold);
    const cap = { reason: 'frequency-cap' as const, until: 1_765_000_000_000 };
    expect(decodeHold(encodeHold(cap))).toEqual(cap);
    expect(decodeHold('["asleep",1]')).toBeUndefined();
    expect(decodeHold('not json')).toBeUndefined();
  });

  it('says which law holds a recipient and until when in their zone', () => {
    const until = Date.parse('2026-12-06T18:00:00Z');
    expect(describeRecipientHold({ reason: 'quiet-hours', until, rule: 'TX', zone: 'America/Chicago' })).toBe(
      'quiet hours until 2026-12-06 12:00 America/Chicago (Texas (SB 140, from 2025-09-01) law)',
    );
    expect(describeRecipientHold({ reason: 'frequency-cap', until })).toBe(
      'frequency cap (messages in 24 hours across campaigns) until 2026-12-06 18:00 UTC',
    );
  });
});
