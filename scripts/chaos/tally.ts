import type { RecipientState } from '../../src/store/ledger-state.js';

/** What the sandbox did with one create request: only what the tally needs. */
export interface AcceptedRequest {
  params: Readonly<Record<string, string | readonly string[]>>;
  sid?: string;
}

export interface ChaosTally {
  recipients: number;
  sentOnce: number;
  sentTwice: number;
  /** Not at Twilio, yet herald holds no final failure or unknown for it: lost. */
  neverSent: number;
  /** By code. */
  failed: Record<string, number>;
  /** Recorded unknown and not at Twilio: under-sent, and reported as such. */
  unknown: number;
  /** The same, by the reason herald recorded (interrupted, no-answer, lookup-failed). */
  unknownReasons: Record<string, number>;
  /**
   * Of those, the ones with no request at Twilio at all: herald recorded unknown a recipient whose request never
   * left it (on the loopback, a request written reaches the sandbox). The others' requests reached Twilio and were
   * refused (429, 500), and herald lost the answer with a killed worker: nothing can tell it they were not created.
   */
  unknownNeverArrived: number;
  /** Recorded unknown, yet at Twilio once: a lookup that could not settle it. */
  unknownButSent: number;
  /** The same, by the reason herald recorded. */
  unknownButSentReasons: Record<string, number>;
  /** herald's ledger says sent with a SID Twilio does not have for that number. */
  wrongSid: number;
}

/**
 * Tallies a chaos run against the sandbox's record of what it accepted (a create answered 201, or accepted and then
 * cut off: both exist at Twilio), with herald's ledger only saying why a recipient was not sent. Pure.
 */
export function tallyChaos(
  recipients: readonly string[],
  requests: readonly AcceptedRequest[],
  ledger: ReadonlyMap<string, RecipientState>,
): ChaosTally {
  const sids = new Map<string, string[]>();
  const arrived = new Set<string>();
  for (const request of requests) {
    const to = request.params['To'];
    if (typeof to !== 'string') continue;
    arrived.add(to);
    if (request.sid === undefined) continue;
    sids.set(to, [...(sids.get(to) ?? []), request.sid]);
  }
  const tally: ChaosTally = {
    recipients: recipients.length,
    sentOnce: 0,
    sentTwice: 0,
    neverSent: 0,
    failed: {},
    unknown: 0,
    unknownReasons: {},
    unknownNeverArrived: 0,
    unknownButSent: 0,
    unknownButSentReasons: {},
    wrongSid: 0,
  };
  for (const to of recipients) {
    const accepted = sids.get(to) ?? [];
    const state = ledger.get(to);
    if (accepted.length > 1) tally.sentTwice += 1;
    else if (accepted.length === 1) {
      tally.sentOnce += 1;
      if (state?.state === 'unknown') {
        tally.unknownButSent += 1;
        tally.unknownButSentReasons[state.reason] = (tally.unknownButSentReasons[state.reason] ?? 0) + 1;
      }
      if (state?.state === 'sent' && state.sid !== accepted[0]) tally.wrongSid += 1;
    } else if (state?.state === 'failed') {
      tally.failed[state.code] = (tally.failed[state.code] ?? 0) + 1;
    } else if (state?.state === 'unknown') {
      tally.unknown += 1;
      tally.unknownReasons[state.reason] = (tally.unknownReasons[state.reason] ?? 0) + 1;
      if (!arrived.has(to)) tally.unknownNeverArrived += 1;
    } else tally.neverSent += 1;
  }
  return tally;
}

/** The run's outcome as a few lines for a person. */
export function formatTally(tally: ChaosTally): string {
  const failed = Object.entries(tally.failed)
    .map(([code, count]) => `${count} × ${code}`)
    .join(', ');
  const totalFailed = Object.values(tally.failed).reduce((sum, count) => sum + count, 0);
  const byReason = (counts: Record<string, number>) => {
    const text = Object.entries(counts)
      .map(([reason, count]) => `${count} × ${reason}`)
      .join(', ');
    return text === '' ? '' : ` (${text})`;
  };
  return [
    `recipients                        ${tally.recipients}`,
    `sent once                         ${tally.sentOnce}`,
    `sent twice                        ${tally.sentTwice}`,
    `never sent but should have been   ${tally.neverSent}`,
    `permanently failed                ${totalFailed}${failed === '' ? '' : ` (${failed})`}`,
    `unknown (not sent, reported)      ${tally.unknown}${byReason(tally.unknownReasons)}`,
    `  refused by Twilio, answer lost  ${tally.unknown - tally.unknownNeverArrived}`,
    `  no request reached Twilio       ${tally.unknownNeverArrived}`,
    `unknown, yet sent once            ${tally.unknownButSent}${byReason(tally.unknownButSentReasons)}`,
    `sent, recorded with a wrong SID   ${tally.wrongSid}`,
  ].join('\n');
}
