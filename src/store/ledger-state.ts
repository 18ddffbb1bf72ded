/**
 * The recipient ledger's states, as one field per recipient in a campaign's `recipients` hash holds them (the Lua
 * side of the same encoding is src/store/lua/includes/ledger-state.lua):
 *   q:<senderId>       queued on that sender's queue, never attempted (or released after a clean failure)
 *   in:<ms>:<token>    a send is in flight since <ms>, and its request is not yet written: the mark the attempt
 *                      (<token>) sets right before it writes the request
 *   i:<ms>:<token>     a send is in flight since <ms>, and its request was written: it may have reached Twilio
 *   s:<sid>            sent (Twilio answered 201)
 *   f:<code>           failed for good (Twilio error code or herald reason)
 *   u:<reason>         unknown: a request may have reached Twilio and herald could not tell; never resent
 *   c:cancelled        cancelled before any request for it began
 * Sent, failed, unknown and cancelled are final; only resend-failed puts a curable failed, or an undelivered sent,
 * back to queued. Nothing outside src/store/ reads or writes these strings.
 *
 * Both in-flight forms are of the kind `i` (their first letter), which is all most Lua scripts compare. A mark is
 * read as written unless it says otherwise (`in:`), because only a mark known not to be written allows a resend.
 */
export type RecipientState =
  | { state: 'queued'; senderId: string }
  /** `written`: the attempt recorded that its request was handed to the operating system (see look-up-lost.ts). */
  | { state: 'in-flight'; since: number; token: string; written: boolean }
  | { state: 'sent'; sid: string }
  | { state: 'failed'; code: string }
  | { state: 'unknown'; reason: string }
  | { state: 'cancelled' };

/** A state in which nothing more happens to the recipient. */
export type FinalState = Extract<RecipientState, { state: 'sent' | 'failed' | 'unknown' | 'cancelled' }>;

/** The letter each state is stored under; the Lua scripts compare these. */
const KINDS = {
  queued: 'q',
  'in-flight': 'i',
  sent: 's',
  failed: 'f',
  unknown: 'u',
  cancelled: 'c',
} as const satisfies Record<RecipientState['state'], string>;

/** What follows the kind in the form of an in-flight mark whose request is not yet written. */
const NOT_WRITTEN = 'n';

/** Reads one ledger value. */
export function parseRecipientState(value: string): RecipientState {
  const written = !value.startsWith(`${KINDS['in-flight']}${NOT_WRITTEN}:`);
  const detail = value.slice(written ? 2 : 3);
  switch (value[0]) {
    case KINDS.queued:
      return { state: 'queued', senderId: detail };
    case KINDS['in-flight']: {
      const colon = detail.indexOf(':');
      return { state: 'in-flight', since: Number(detail.slice(0, colon)), token: detail.slice(colon + 1), written };
    }
    case KINDS.sent:
      return { state: 'sent', sid: detail };
    case KINDS.failed:
      return { state: 'failed', code: detail };
    case KINDS.cancelled:
      return { state: 'cancelled' };
    default:
      return { state: 'unknown', reason: detail };
  }
}

/** The ledger value of a state. */
export function encodeRecipientState(state: RecipientState): string {
  switch (state.state) {
    case 'queued':
      return `${KINDS.queued}:${state.senderId}`;
    case 'in-flight':
      return `${KINDS['in-flight']}${state.written ? '' : NOT_WRITTEN}:${state.since}:${state.token}`;
    case 'sent':
      return `${KINDS.sent}:${state.sid}`;
    case 'failed':
      return `${KINDS.failed}:${state.code}`;
    case 'unknown':
      return `${KINDS.unknown}:${state.reason}`;
    case 'cancelled':
      return `${KINDS.cancelled}:cancelled`;
  }
}

export function isFinalState(state: RecipientState): state is FinalState {
  return state.state !== 'queued' && state.state !== 'in-flight';
}

/** The settle script's letter for a settlement (settle-4.lua writes `<letter>:<detail>`). */
export function settlementKind(state: 'sent' | 'failed' | 'unknown'): string {
  return KINDS[state];
}
