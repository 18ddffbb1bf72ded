import { type CountryCode, isSupportedCountry, parsePhoneNumberWithError, ParseError } from 'libphonenumber-js/max';

/** A phone number in E.164 form (`+` and up to 15 digits). Only {@link parsePhone} and {@link asE164} make one. */
export type E164 = string & { readonly __brand: 'E164' };

export type PhoneParse =
  | { ok: true; e164: E164; country: CountryCode | undefined }
  /** `noCountryCode`: a national number with no default country to read it in. */
  | { ok: false; reason: string; noCountryCode?: true };

const E164_SHAPE = /^\+[1-9]\d{1,14}$/;
/** A number written without its country code: digits and the punctuation people put between them. */
const NATIONAL = /^[\d\s().\/-]{6,}$/;
/** How Excel shows (and saves as CSV) a long number in a General column: `4.15556E+09`, `4,15556E+09`. */
const SCIENTIFIC = /^[+-]?\d+(?:[.,]\d+)?e\+?\d+$/i;

/**
 * Normalises a number as typed by a person (`(415) 555-0100`, `+44 7911 123456`) to E.164, using
 * `defaultCountry` for national formats. Validity is checked against libphonenumber's full metadata, so a
 * number with the right length but an unassigned prefix is rejected here rather than by Twilio (21211).
 */
export function parsePhone(input: string, defaultCountry?: CountryCode): PhoneParse {
  const text = input.trim();
  if (text === '') return { ok: false, reason: 'invalid number: empty' };
  if (SCIENTIFIC.test(text)) {
    return {
      ok: false,
      reason:
        `invalid number: ${text} (a spreadsheet showed it in scientific notation and saved it so, without its ` +
        'last digits: format the column as Text or as Number with 0 decimals, then save as CSV again)',
    };
  }
  try {
    const parsed = parsePhoneNumberWithError(text, defaultCountry ? { defaultCountry } : {});
    if (!parsed.isValid()) return { ok: false, reason: `invalid number: ${text}` };
    return { ok: true, e164: parsed.number as E164, country: parsed.country };
  } catch (error) {
    // libphonenumber's ParseError carries its code as the message.
    const national = NATIONAL.test(text);
    if (
      error instanceof ParseError &&
      error.message === 'INVALID_COUNTRY' &&
      defaultCountry === undefined &&
      national
    ) {
      return {
        ok: false,
        reason: `invalid number: ${text} (no country code: write it as +<country code>…, or pass --default-country)`,
        noCountryCode: true,
      };
    }
    const why = error instanceof ParseError ? error.message.toLowerCase().replaceAll('_', ' ') : 'unparseable';
    return { ok: false, reason: `invalid number: ${text} (${why})` };
  }
}

/** Accepts a string that is already E.164-shaped (e.g. read back from Redis); no validity check. */
export function asE164(text: string): E164 | undefined {
  return E164_SHAPE.test(text) ? (text as E164) : undefined;
}

/** The ISO country of an E.164 number, or undefined when the number is not valid for any country. */
export function countryOf(e164: E164): CountryCode | undefined {
  const parsed = parsePhone(e164);
  return parsed.ok ? parsed.country : undefined;
}

export function isCountryCode(text: string): text is CountryCode {
  return isSupportedCountry(text);
}

export type { CountryCode };
