import { describe, expect, it } from '@jest/globals';

import { asE164, type E164 } from '../../../src/domain/e164.js';
import { usPlaceOf } from '../../../src/compliance/number-states.js';
import { bindingRuleAt, nextLegalInstant, recipientHoursOf } from '../../../src/compliance/quiet-hours.js';
import { parseSendingHours, sendingHoursLaw } from '../../../src/compliance/sending-hours.js';

const number = (text: string): E164 =>
  asE164(text) ??
  (() => {
    throw new Error(text);
  })();
const law = sendingHoursLaw();
const hoursOf = (text: string) => {
  const hours = recipientHoursOf(number(text), law);
  if (hours === undefined) throw new Error(`${text} is not a US recipient`);
  return hours;
};
/** The first legal instant for the number at the given UTC instant, as an ISO string. */
const next = (text: string, iso: string) => nextLegalInstant(hoursOf(text), new Date(iso)).toISOString();

describe('where US law places a number', () => {
  it.each([
    ['+13055550100', { kind: 'state', states: ['FL'] }],
    ['+12145550100', { kind: 'state', states: ['TX'] }],
    ['+12015550100', { kind: 'state', states: ['NJ', 'NY'] }],
    ['+17875550100', { kind: 'territory', territory: 'PR' }],
    ['+16715550100', { kind: 'territory', territory: 'GU' }],
    ['+18005550100', { kind: 'unplaced' }],
    ['+14165550100', { kind: 'outside' }],
    ['+447911123456', { kind: 'outside' }],
  ])('%s', (text, place) => {
    expect(usPlaceOf(number(text))).toEqual(place);
  });

  it('applies no US hours outside the US', () => {
    expect(recipientHoursOf(number('+447911123456'), law)).toBeUndefined();
    expect(recipientHoursOf(number('+14165550100'), law)).toBeUndefined();
  });
});

describe('the next legal instant', () => {
  it.each([
    // [number, at (UTC), first legal instant (UTC), why]
    ['+14155550100', '2026-12-07T18:00:00.000Z', '2026-12-07T18:00:00.000Z', 'California 10:00: open now'],
    ['+14155550100', '2026-12-08T05:00:00.000Z', '2026-12-08T16:00:00.000Z', 'California 21:00: federal 08:00'],
    ['+13055550100', '2026-12-08T01:30:00.000Z', '2026-12-08T13:00:00.000Z', 'Florida 20:30: 08:00 next day'],
    ['+13055550100', '2026-12-08T00:59:00.000Z', '2026-12-08T00:59:00.000Z', 'Florida 19:59: still open'],
    ['+12035550100', '2026-12-07T13:30:00.000Z', '2026-12-07T14:00:00.000Z', 'Connecticut 08:30: 09:00'],
    ['+14015550100', '2026-12-05T14:30:00.000Z', '2026-12-05T15:00:00.000Z', 'Rhode Island Saturday 09:30: 10:00'],
    [
      '+14015550100',
      '2026-12-07T23:30:00.000Z',
      '2026-12-08T14:00:00.000Z',
      'Rhode Island Monday 18:30: Tuesday 09:00',
    ],
    ['+12145550100', '2026-12-06T17:00:00.000Z', '2026-12-06T18:00:00.000Z', 'Texas Sunday 11:00: noon'],
    ['+12145550100', '2026-12-06T04:00:00.000Z', '2026-12-06T18:00:00.000Z', 'Texas Saturday 22:00: Sunday noon'],
    ['+12145550100', '2026-12-07T14:30:00.000Z', '2026-12-07T15:00:00.000Z', 'Texas Monday 08:30: 09:00'],
    ['+12055550100', '2026-12-06T16:00:00.000Z', '2026-12-07T14:00:00.000Z', 'Alabama Sunday 10:00: Monday 08:00'],
    ['+12255550100', '2026-12-06T16:00:00.000Z', '2026-12-07T14:00:00.000Z', 'Louisiana Sunday: Monday 08:00'],
    ['+12015550100', '2026-12-08T01:30:00.000Z', '2026-12-08T13:00:00.000Z', '201 spans NJ and NY: NJ closes 20:00'],
    ['+17875550100', '2026-12-07T11:00:00.000Z', '2026-12-07T12:00:00.000Z', 'Puerto Rico 07:00: federal 08:00'],
    ['+13055550100', '2026-03-08T06:30:00.000Z', '2026-03-08T12:00:00.000Z', 'Florida, spring forward: 08:00 EDT'],
    ['+13055550100', '2026-11-01T05:30:00.000Z', '2026-11-01T13:00:00.000Z', 'Florida, fall back: 08:00 EST'],
  ])('%s at %s is %s (%s)', (text, at, expected) => {
    expect(next(text, at)).toBe(expected);
  });

  it('never answers an instant at which a rule is closed', () => {
    const hours = hoursOf('+12145550100');
    for (let hour = 0; hour < 24 * 8; hour += 1) {
      const at = new Date(Date.UTC(2026, 11, 5, hour, 17));
      const legal = nextLegalInstant(hours, at);
      expect(legal.getTime()).toBeGreaterThanOrEqual(at.getTime());
      expect(bindingRuleAt(hours, legal)).toBeUndefined();
    }
  });

  it('names the rule that binds', () => {
    const binding = bindingRuleAt(hoursOf('+12145550100'), new Date('2026-12-06T17:00:00.000Z'));
    expect(binding?.rule.id).toBe('TX');
    expect(binding?.zone).toBe('America/Chicago');
  });
});

describe('the sending-hours table', () => {
  it('has a source for every rule', () => {
    for (const rule of [law.federal, ...law.states.values()]) expect(rule.source.length).toBeGreaterThan(10);
  });

  it('refuses hours that close before they open and unknown days', () => {
    const rule = (hours: unknown) => ({ name: 'x', source: 'y', hours });
    expect(() => parseSendingHours({ federal: rule({ all: ['21:00', '08:00'] }), states: {} })).toThrow(
      /must close after it opens/,
    );
    expect(() => parseSendingHours({ federal: rule({ all: null, funday: null }), states: {} })).toThrow(/unknown day/);
    expect(() => parseSendingHours({ federal: rule({ all: ['8:00', '21:00'] }), states: {} })).toThrow();
  });
});
