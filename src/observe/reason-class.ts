import { PERMANENT_CODES } from '../send/classify.js';

/**
 * Why a message failed, in a handful of classes an operator can act on: fix the list (recipient), fix a sender
 * (sender), fix the account (account), fix the template (content), slow down (throttled), wait (transient),
 * ask Twilio what happened (unknown), or the handset's carrier refused it after Twilio accepted it (carrier).
 */
export const REASON_CLASSES = [
  'recipient',
  'sender',
  'account',
  'content',
  'throttled',
  'transient',
  'unknown',
  'carrier',
  'whatsapp',
  'rejected',
  'other',
] as const;
export type ReasonClass = (typeof REASON_CLASSES)[number];

/**
 * Twilio's answers that mean "slow down" rather than "broken": too many requests, the sender's queue is full,
 * the daily cap (../shared/reference/twilio.md §2–3). herald retries them; this only names them for metrics.
 */
const THROTTLE_CODES = new Set(['20429', '21611', '63038']);

/** herald's own reason codes (process-send.ts), which are not Twilio's. */
const HERALD_CODES: Readonly<Record<string, ReasonClass>> = {
  'invalid-content': 'content',
  transient: 'transient',
  interrupted: 'unknown',
  'no-answer': 'unknown',
  'lookup-failed': 'unknown',
};

/** The class of a Twilio error code or herald reason code, as recorded in the ledger and in send events. */
export function reasonClassOf(code: string): ReasonClass {
  const own = HERALD_CODES[code];
  if (own !== undefined) return own;
  if (THROTTLE_CODES.has(code)) return 'throttled';
  const permanent = PERMANENT_CODES[Number(code)];
  if (permanent !== undefined) return permanent.scope;
  if (/^http-5\d\d$/.test(code) || /^20500$|^20503$/.test(code)) return 'transient';
  if (/^http-4\d\d$/.test(code)) return 'rejected';
  if (/^3\d{4}$/.test(code)) return 'carrier';
  if (/^63\d{3}$/.test(code)) return 'whatsapp';
  if (/^\d{5}$/.test(code)) return 'rejected';
  return 'other';
}
