/**
 * Whether Twilio holds the message an interrupted or unanswered attempt may have created, decided from a listing of
 * the recipient's messages. Pure: reconcile.ts does the listing.
 */

/** The fields of a listed Message resource that identify it. */
export interface ListedMessage {
  sid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string | null;
  dateCreated: Date | null;
}

/** What herald asked Twilio to send, and when the attempt began. */
export interface ExpectedMessage {
  to: string;
  /** The From address, or absent when a Messaging Service picks it. */
  from?: string;
  messagingServiceSid?: string;
  /** The body as sent; absent for a content template, whose rendered text herald does not know. */
  body?: string;
  /** ms since epoch, by herald's clock. */
  attemptStartedAt: number;
}

export type Lookup = { ok: true; messages: readonly ListedMessage[] } | { ok: false; reason: string };

export type Reconciliation =
  /** Twilio has it: the recipient was sent, with this SID. */
  | { kind: 'sent'; sid: string; matches: number }
  /** Twilio's list has no such message, which does not prove it was never created (see below). */
  | { kind: 'not-found' }
  /** The list could not be read: nothing is known. */
  | { kind: 'lookup-failed'; reason: string };

/**
 * How far herald's clock and Twilio's may disagree, plus the time from the attempt's start to Twilio's creation of
 * the message; a message created earlier than this before the attempt cannot be the attempt's.
 */
export const CLOCK_TOLERANCE_MS = 5 * 60_000;

/**
 * A listed message is the attempt's when it went to the same recipient from the same sender with the same body,
 * and was created no earlier than the attempt (within the clock tolerance). If several match, the recipient has
 * already had more than one (an earlier campaign with the same text, or a duplicate herald could not prevent), and
 * the oldest one that fits is recorded. "Not found" is reported as such and never taken to mean "not sent": a request
 * Twilio is still processing, or a message its list does not show yet, is absent from the list too.
 */
export function decideReconciliation(expected: ExpectedMessage, lookup: Lookup): Reconciliation {
  if (!lookup.ok) return { kind: 'lookup-failed', reason: lookup.reason };
  const matching = lookup.messages.filter((message) => isTheAttempt(message, expected));
  const oldest = matching.at(-1);
  return oldest === undefined ? { kind: 'not-found' } : { kind: 'sent', sid: oldest.sid, matches: matching.length };
}

function isTheAttempt(message: ListedMessage, expected: ExpectedMessage): boolean {
  if (message.to !== expected.to) return false;
  if (expected.from !== undefined && message.from !== expected.from) return false;
  if (expected.messagingServiceSid !== undefined && message.messagingServiceSid !== expected.messagingServiceSid)
    return false;
  if (expected.body !== undefined && message.body !== expected.body) return false;
  const created = message.dateCreated?.getTime();
  return created === undefined || Number.isNaN(created) || created >= expected.attemptStartedAt - CLOCK_TOLERANCE_MS;
}
