import { describe, expect, it } from '@jest/globals';

import { parsePhone } from '../../../src/domain/e164.js';
import { CountryTally, describeCountryHint } from '../../../src/ingest/country-hint.js';

function tally(phones: string[]) {
  const counts = new CountryTally();
  for (const phone of phones) counts.note(parsePhone(phone));
  counts.note(undefined);
  return counts.hint();
}

describe('CountryTally', () => {
  it('names the country when every other number agrees', () => {
    const hint = tally(['+14155550100', '(415) 555-0101', '+12125550100', '415 555 0102', 'hello']);
    expect(hint).toEqual({ missing: 2, country: 'US' });
    expect(describeCountryHint(hint!)).toBe(
      '2 numbers have no country code and every other number is in US: run again with --default-country US',
    );
  });

  it('names none when the others disagree or there are none', () => {
    expect(tally(['+14155550100', '+447400123456', '4155550101'])).toEqual({ missing: 1, country: undefined });
    const alone = tally(['4155550101']);
    expect(alone).toEqual({ missing: 1, country: undefined });
    expect(describeCountryHint(alone!)).toBe(
      '1 number has no country code: run again with --default-country and the country they are in (e.g. US, GB)',
    );
  });

  it('has nothing to say when every number has its country code', () => {
    expect(tally(['+14155550100', 'hello', '4.15556E+09'])).toBeUndefined();
  });
});
