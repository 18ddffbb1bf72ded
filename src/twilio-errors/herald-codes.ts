import type { ReasonClass } from './error-entry.js';

/** What herald knows of a code a recipient's failure or receipt carries. */
export interface CodeFacts {
  reason: string;
  /** Whether `herald resend-failed` may send again to a recipient that ended with it. */
  curable: boolean;
  class: ReasonClass;
}

/**
 * herald's own codes, which it records beside Twilio's: why a recipient failed or is unknown when Twilio gave no
 * code, and the markers of a receipt without a readable one.
 */
export const HERALD_CODES: Readonly<Record<string, CodeFacts>> = {
  transient: {
    reason: 'gave up after repeated 5xx answers or connection failures before sending',
    curable: true,
    class: 'transient',
  },
  'not-written': {
    reason:
      'its request was never written (a worker stopped between its in-flight mark and its request, or the campaign gate answered too late), so it is sent again',
    curable: true,
    class: 'transient',
  },
  'invalid-content': { reason: 'the row no longer renders into a message', curable: false, class: 'content' },
  'no-answer': {
    reason: 'no answer: the request may have reached Twilio, so it is never resent',
    curable: false,
    class: 'unknown',
  },
  interrupted: {
    reason: 'a worker stopped after writing its request: it may have reached Twilio, so it is never resent',
    curable: false,
    class: 'unknown',
  },
  'lookup-failed': {
    reason: "no answer, and Twilio's message list could not be read: it may have reached Twilio, so it is never resent",
    curable: false,
    class: 'unknown',
  },
  none: { reason: 'undelivered without an error code', curable: false, class: 'other' },
  other: { reason: 'an error code herald could not read', curable: false, class: 'other' },
};
