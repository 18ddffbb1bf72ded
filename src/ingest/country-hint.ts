import type { CountryCode, PhoneParse } from '../domain/e164.js';

/** Numbers refused for want of a country code, and the one country every other number was in, if they agree. */
export interface CountryHint {
  missing: number;
  country: CountryCode | undefined;
}

/**
 * Counts what a file's numbers say about a missing `--default-country`: how many were refused for want of a
 * country code, and the countries of the others. Holds one counter per country, whatever the file's size.
 */
export class CountryTally {
  readonly #countries = new Set<CountryCode>();
  #missing = 0;

  note(phone: PhoneParse | undefined): void {
    if (phone === undefined) return;
    if (phone.ok) {
      if (phone.country !== undefined) this.#countries.add(phone.country);
    } else if (phone.noCountryCode === true) {
      this.#missing += 1;
    }
  }

  /** Undefined when no number lacked its country code. */
  hint(): CountryHint | undefined {
    if (this.#missing === 0) return undefined;
    const [only] = this.#countries;
    return { missing: this.#missing, country: this.#countries.size === 1 ? only : undefined };
  }
}

/** The hint as one sentence for a summary. */
export function describeCountryHint({ missing, country }: CountryHint): string {
  const numbers = missing === 1 ? '1 number has' : `${missing.toLocaleString('en-US')} numbers have`;
  return country === undefined
    ? `${numbers} no country code: run again with --default-country and the country they are in (e.g. US, GB)`
    : `${numbers} no country code and every other number is in ${country}: run again with --default-country ${country}`;
}
