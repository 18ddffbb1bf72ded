import { describe, expect, it } from '@jest/globals';

import type { E164 } from '../../../src/domain/e164.js';
import { timeZonesOf } from '../../../src/domain/number-time-zones.js';

describe('timeZonesOf', () => {
  it.each([
    ['+14155550100', ['America/Los_Angeles']],
    ['+12125550100', ['America/New_York']],
    ['+16055550100', ['America/Denver', 'America/North_Dakota/Center']],
    ['+493012345678', ['Europe/Berlin']],
    ['+61412345678', ['Australia/Sydney']],
  ])('%s → %j', (number, zones) => {
    expect(timeZonesOf(number as E164)).toEqual(zones);
  });

  it('gives every NANP zone for a toll-free number, which is tied to no area', () => {
    const zones = timeZonesOf('+18005550100' as E164);
    expect(zones).toEqual(expect.arrayContaining(['America/New_York', 'Pacific/Honolulu', 'Pacific/Guam']));
  });
});
