import { reconcileAttempt } from '../reconcile.js';
import type { SendStep } from '../send-job.js';

/** How soon a lookup that found nothing (or failed) is repeated, within the patience, unless the deps say. */
const LOOK_AGAIN_MS = 10_000;

/**
 * Reconciles an attempt whose answer never came (a timeout, a cut connection, a worker killed mid-request): asks
 * Twilio's Messages list whether it created the message. Found, the recipient was sent. Not found, nothing proves it
 * was not (the request may still be in flight, or not listed yet): within the patience the in-flight mark stays and
 * the job comes back to look again (the ledger's begin finds the mark, so nothing is sent meanwhile); after it, the
 * recipient is unknown and never resent.
 */
export const lookUpLost: SendStep = {
  name: 'look-up-lost',
  acts: true,
  async run(send, deps) {
    const verdict = send.verdict;
    if (verdict?.kind !== 'look-up') return;
    const params = send.params;
    if (params === undefined) throw new Error('look-up-lost needs the composed message');
    const found = await reconcileAttempt(deps.client, params, verdict.since);
    if (found.kind === 'sent') {
      send.verdict = { kind: 'sent', sid: found.sid, reason: `${verdict.context}; found in Twilio's message list` };
      return;
    }
    const lookAgainAt = deps.clock.now() + (deps.lookAgainMs ?? LOOK_AGAIN_MS);
    if (lookAgainAt - verdict.since <= (deps.reconcilePatienceMs ?? 0)) {
      send.verdict = { kind: 'later', until: lookAgainAt };
      return;
    }
    send.verdict =
      found.kind === 'lookup-failed'
        ? {
            kind: 'unknown',
            code: 'lookup-failed',
            reason: `${verdict.context}; Twilio's message list could not be read (${found.reason})`,
          }
        : {
            kind: 'unknown',
            code: verdict.notFound,
            reason: `${verdict.context}; not in Twilio's message list, which does not prove it was not sent`,
          };
  },
};
