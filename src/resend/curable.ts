/**
 * Which failures `herald resend-failed` may send again: only those that said nothing about the recipient, so a
 * later attempt can succeed (Twilio's guidance per code: ../shared/reference/twilio.md §2). Pure and
 * table-driven. A code that is not listed is not curable: resending on a guess could text an opted-out person
 * or pay again for a number that cannot receive.
 */
export type Cure = { curable: true; reason: string } | { curable: false; reason: string };

/** Ledger failure codes (`f:<code>`) written when a create call failed; curable ones first. */
const FAILED: Readonly<Record<string, Cure>> = {
  transient: { curable: true, reason: 'gave up after repeated 5xx answers or connection failures before sending' },
  '20429': { curable: true, reason: 'still throttled (too many concurrent requests) after the retry window' },
  '20500': { curable: true, reason: 'Twilio internal error (HTTP 500) on every attempt' },
  '20503': { curable: true, reason: 'Twilio unavailable (HTTP 503) on every attempt' },
  '21611': { curable: true, reason: 'sender queue full, still after the retry window' },
  '30001': { curable: true, reason: 'queue overflow' },
  '63017': { curable: true, reason: 'account over its combined messages per second' },
  '63018': { curable: true, reason: 'channel rate limit or WhatsApp messaging tier exceeded' },
  '63038': { curable: true, reason: 'daily message limit reached (resend after the 24 h window resets)' },
  '20003': { curable: false, reason: 'authentication failed (fix the credentials, then send a new campaign)' },
  '21211': { curable: false, reason: 'invalid To number' },
  '21212': { curable: false, reason: 'invalid From number' },
  '21408': { curable: false, reason: 'region not permitted (Geo Permissions)' },
  '21606': { curable: false, reason: 'From number cannot send to this destination' },
  '21610': { curable: false, reason: 'recipient opted out (replied STOP)' },
  '21612': { curable: false, reason: 'To number is not reachable from this sender' },
  '21614': { curable: false, reason: 'To number is not a mobile number' },
  '21617': { curable: false, reason: 'body exceeds 1600 characters' },
  '21620': { curable: false, reason: 'invalid media URL' },
  'invalid-content': { curable: false, reason: 'the row no longer renders into a message' },
};

/** Error codes of an `undelivered` (or `failed`) delivery receipt: the message was sent and did not arrive. */
const UNDELIVERED: Readonly<Record<string, Cure>> = {
  '30001': { curable: true, reason: 'queue overflow' },
  '30003': { curable: true, reason: 'unreachable handset (off or out of coverage)' },
  '30008': { curable: true, reason: 'unknown carrier error' },
  '30036': { curable: true, reason: 'validity period expired before delivery' },
  '63017': { curable: true, reason: 'account over its combined messages per second' },
  '63018': { curable: true, reason: 'channel rate limit or WhatsApp messaging tier exceeded' },
  '30002': { curable: false, reason: 'account suspended' },
  '30004': { curable: false, reason: 'message blocked (opt-out, do-not-disturb)' },
  '30005': { curable: false, reason: 'unknown handset: the number may no longer exist' },
  '30006': { curable: false, reason: 'landline or unreachable carrier' },
  '30007': { curable: false, reason: 'filtered by Twilio or the carrier (spam policy)' },
  '30034': { curable: false, reason: 'US 10DLC message from an unregistered number' },
  '30410': { curable: false, reason: 'provider timeout: may have been delivered' },
  '63016': { curable: false, reason: 'WhatsApp free-form message outside the 24 h window' },
};

/** A create call that failed for good (`f:<code>` in the ledger). */
export function cureForFailure(code: string): Cure {
  return FAILED[code] ?? unlisted(code);
}

/** A message Twilio accepted that a delivery receipt reported undelivered with this error code. */
export function cureForUndelivered(code: string): Cure {
  return UNDELIVERED[code] ?? unlisted(code);
}

function unlisted(code: string): Cure {
  return code.startsWith('http-4')
    ? { curable: false, reason: `refused with ${code.replace('http-', 'HTTP ')}` }
    : { curable: false, reason: `error ${code}` };
}
