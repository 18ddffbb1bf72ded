import { type CountryCode, type E164, type PhoneParse, parsePhone } from '../domain/e164.js';

/*
 * What crosses between the ingest's main thread and its phone-check thread (phone-check-thread.ts): one string each
 * way per slice of rows, because a string is copied in one step while an array of strings or objects is cloned item
 * by item. A newline separates the items; a number that holds a newline is never sent across (see
 * {@link canCrossThreads}) and no answer holds one, as an answer quotes only its number.
 */

const SEPARATOR = '\n';
const REFUSED = '!';
/** A refusal for want of a country code (see PhoneParse's `noCountryCode`). */
const NO_COUNTRY = '?';

/** Whether a raw phone value can travel in a joined column; the rest are checked on the main thread. */
export function canCrossThreads(raw: string): boolean {
  return !raw.includes(SEPARATOR);
}

export function joinPhones(phones: readonly string[]): string {
  return phones.join(SEPARATOR);
}

/** The phone-check thread's work: every number of a joined column checked, one answer line each, in order. */
export function checkJoinedPhones(joined: string, defaultCountry: CountryCode | undefined): string {
  const phones = joined.split(SEPARATOR);
  let answers = '';
  for (let index = 0; index < phones.length; index++) {
    const parsed = parsePhone(phones[index]!, defaultCountry);
    if (index > 0) answers += SEPARATOR;
    if (parsed.ok) answers += `${parsed.e164},${parsed.country ?? ''}`;
    else answers += (parsed.noCountryCode === true ? NO_COUNTRY : REFUSED) + parsed.reason;
  }
  return answers;
}

/** The answers of {@link checkJoinedPhones}, as {@link parsePhone} gave them. */
export function readPhoneAnswers(answers: string): PhoneParse[] {
  return answers.split(SEPARATOR).map((answer): PhoneParse => {
    if (answer.startsWith(REFUSED)) return { ok: false, reason: answer.slice(REFUSED.length) };
    if (answer.startsWith(NO_COUNTRY))
      return { ok: false, reason: answer.slice(NO_COUNTRY.length), noCountryCode: true };
    const comma = answer.indexOf(',');
    const country = answer.slice(comma + 1);
    return {
      ok: true,
      e164: answer.slice(0, comma) as E164,
      country: country === '' ? undefined : (country as CountryCode),
    };
  });
}
