import { REASON_CLASSES, type ReasonClass } from '../twilio-errors/error-entry.js';
import { describeCode } from '../twilio-errors/twilio-errors.js';

export { REASON_CLASSES, type ReasonClass };

/** The class of a Twilio error code or herald reason code, as recorded in the ledger and in send events. */
export function reasonClassOf(code: string): ReasonClass {
  return describeCode(code).class;
}
