import { describe, expect, it } from '@jest/globals';

import { asE164, type CountryCode, countryOf, type E164, parsePhone } from '../../../src/domain/e164.js';

describe('parsePhone', () => {
  it.each<[string, CountryCode | undefined, string, CountryCode]>([
    ['+14155550100', undefined, '+14155550100', 'US'],
    ['(415) 555-0100', 'US', '+14155550100', 'US'],
    ['415.555.0100', 'US', '+14155550100', 'US'],
    ['  415 555 0100  ', 'US', '+14155550100', 'US'],
    ['1 415 555 0100', 'US', '+14155550100', 'US'],
    ['(416) 555-0100', 'US', '+14165550100', 'CA'],
    ['+44 7400 123456', undefined, '+447400123456', 'GB'],
    ['+44 7400 123456', 'US', '+447400123456', 'GB'],
    ['07400 123456', 'GB', '+447400123456', 'GB'],
    ['020 7946 0958', 'GB', '+442079460958', 'GB'],
    ['0151 23456789', 'DE', '+4915123456789', 'DE'],
    ['+61 412 345 678', undefined, '+61412345678', 'AU'],
  ])('%j (default %s) → %s in %s', (input, defaultCountry, e164, country) => {
    expect(parsePhone(input, defaultCountry)).toEqual({ ok: true, e164, country });
  });

  it.each<[string, CountryCode | undefined, string]>([
    ['', 'US', 'invalid number: empty'],
    ['   ', 'US', 'invalid number: empty'],
    ['hello', 'US', 'invalid number: hello (not a number)'],
    ['call 4155550100', undefined, 'invalid number: call 4155550100 (invalid country)'],
    ['+1 555 555 5555', undefined, 'invalid number: +1 555 555 5555'],
    ['+44 7400 12345', undefined, 'invalid number: +44 7400 12345'],
    ['12', 'US', 'invalid number: 12'],
  ])('refuses %j (default %s)', (input, defaultCountry, reason) => {
    const result = parsePhone(input, defaultCountry);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(new RegExp(`^${reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });
});

describe('parsePhone hints', () => {
  it.each(['415 555 0100', '(415) 555-0100', '4155550100', '447911123456'])(
    'says that %j has no country code and how to give one',
    (input) => {
      expect(parsePhone(input)).toEqual({
        ok: false,
        reason: `invalid number: ${input} (no country code: write it as +<country code>…, or pass --default-country)`,
        noCountryCode: true,
      });
    },
  );

  it.each([
    ['4.15556E+09', undefined],
    ['4,15556E+09', 'DE'],
    ['1.23457e+11', 'US'],
    ['4.15556E09', 'US'],
  ] as const)('says that a spreadsheet turned %j into scientific notation', (input, country) => {
    const result = parsePhone(input, country);
    expect(result).toEqual({
      ok: false,
      reason: expect.stringMatching(
        new RegExp(
          `^invalid number: ${input.replace(/[.+]/g, '\\$&')} \\(a spreadsheet showed it in scientific notation .* Number with 0 decimals, then save as CSV again\\)$`,
        ),
      ),
    });
  });
});

describe('asE164 and countryOf', () => {
  it('accepts E.164-shaped text only', () => {
    expect(asE164('+14155550100')).toBe('+14155550100');
    expect(asE164('14155550100')).toBeUndefined();
    expect(asE164('+0123')).toBeUndefined();
    expect(asE164('+1234567890123456')).toBeUndefined();
  });

  it('finds the country of a valid number', () => {
    expect(countryOf('+447400123456' as E164)).toBe('GB');
    expect(countryOf('+15555555555' as E164)).toBeUndefined();
  });
});
