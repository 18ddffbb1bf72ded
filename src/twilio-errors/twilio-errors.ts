import { CREATE_ERRORS } from './create-errors.js';
import type { TwilioErrorEntry } from './error-entry.js';
import { type CodeFacts, HERALD_CODES } from './herald-codes.js';
import { RECEIPT_ERRORS } from './receipt-errors.js';

/**
 * Every Twilio error code herald knows, and what it does about each: the one table that classification, resend,
 * the report, metrics and the sandbox read, and from which docs/error-handling.md is generated.
 */
export const TWILIO_ERRORS = { ...CREATE_ERRORS, ...RECEIPT_ERRORS } as const;

export type TwilioErrorCode = keyof typeof TWILIO_ERRORS;

const ENTRIES: ReadonlyMap<number, TwilioErrorEntry> = new Map(
  Object.entries(TWILIO_ERRORS).map(([code, entry]) => [Number(code), entry]),
);

/** The table's entry for a Twilio code, if herald knows it. */
export function twilioErrorOf(code: number | string): TwilioErrorEntry | undefined {
  return ENTRIES.get(Number(code));
}

/**
 * What a code recorded for a recipient means: a Twilio code from the table, one of herald's own, `http-<status>`
 * for an answer without a code, or an unknown code, classed by Twilio's numbering (30xxx carriers, 63xxx WhatsApp).
 */
export function describeCode(code: string): CodeFacts {
  const own = HERALD_CODES[code];
  if (own !== undefined) return own;
  const entry = /^\d+$/.test(code) ? twilioErrorOf(code) : undefined;
  if (entry !== undefined) return { reason: entry.reason, curable: entry.curable, class: entry.class };
  const status = /^http-(\d{3})$/.exec(code)?.[1];
  if (status !== undefined) {
    return status.startsWith('5')
      ? { reason: `Twilio answered HTTP ${status}`, curable: true, class: 'transient' }
      : { reason: `refused with HTTP ${status}`, curable: false, class: 'rejected' };
  }
  const unknown = { reason: `error ${code}`, curable: false };
  if (/^3\d{4}$/.test(code)) return { ...unknown, class: 'carrier' };
  if (/^63\d{3}$/.test(code)) return { ...unknown, class: 'whatsapp' };
  if (/^\d{5}$/.test(code)) return { ...unknown, class: 'rejected' };
  return { ...unknown, class: 'other' };
}
