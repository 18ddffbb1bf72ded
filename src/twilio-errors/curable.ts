import { describeCode, twilioErrorOf } from './twilio-errors.js';

/**
 * Which failures `herald resend-failed` may send again, as the table of Twilio's errors says: only those that said
 * nothing against the recipient, the content or the account's setup, so a later attempt can succeed. A code herald
 * does not know is not curable: resending on a guess could text an opted-out person or pay again for a number that
 * cannot receive.
 */
export type Cure = { curable: true; reason: string } | { curable: false; reason: string };

/** A create call that failed for good (`f:<code>` in the ledger). */
export function cureForFailure(code: string): Cure {
  const { curable, reason } = describeCode(code);
  // A code that is retried or waited out only fails a recipient once the attempts or the retry window ran out.
  const kind = twilioErrorOf(code)?.action.kind;
  const context = kind === 'retry' ? ' on every attempt' : kind === 'throttle' ? ', still after the retry window' : '';
  return { curable, reason: `${reason}${context}` };
}

/** A message Twilio accepted that a delivery receipt reported undelivered (or failed) with this error code. */
export function cureForUndelivered(code: string): Cure {
  const { curable, reason } = describeCode(code);
  return { curable, reason };
}
