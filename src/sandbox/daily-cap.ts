import { makeTwilioError, type TwilioError } from './twilio-error.js';

const DAY_MS = 86_400_000;

/**
 * Accepted messages per sender per UTC day, for the daily cap. Twilio's cap (63038) counts a rolling day
 * per account; per sender and per calendar day is what a test can reason about, and resets the same way.
 */
export class DailyCounts {
  readonly #counts = new Map<string, { day: number; count: number }>();

  /** Messages accepted today from `sender`, as of `at` (ms). */
  countToday(sender: string, at: number): number {
    const entry = this.#counts.get(sender);
    return entry !== undefined && entry.day === dayOf(at) ? entry.count : 0;
  }

  add(sender: string, at: number): void {
    const day = dayOf(at);
    this.#counts.set(sender, { day, count: this.countToday(sender, at) + 1 });
  }

  clear(): void {
    this.#counts.clear();
  }
}

/** Twilio's answer past the cap: HTTP 429 like 20429, but not to be retried until the day turns. */
export function makeDailyCapError(accountSid: string, cap: number): TwilioError {
  // Wording as Twilio answers it (twilio/twilio-php#661).
  return makeTwilioError(63038, `Account ${accountSid} exceeded the ${cap} daily messages limit`);
}

function dayOf(at: number): number {
  return Math.floor(at / DAY_MS);
}
