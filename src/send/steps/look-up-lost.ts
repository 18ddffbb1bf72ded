import { reconcileAttempt } from '../reconcile.js';
import type { Send, SendDeps, SendStep } from '../send-job.js';
import { WRITE_DEADLINE_MS } from './gate-and-begin.js';

/** How soon a lookup that found nothing (or failed) is repeated, within the patience, unless the deps say. */
const LOOK_AGAIN_MS = 10_000;

/**
 * Reconciles an attempt whose answer never came (a timeout, a cut connection, a worker killed mid-request): asks
 * Twilio's Messages list whether it created the message. Found, the recipient was sent. Not found, within the
 * patience the in-flight mark stays and the job comes back to look again (the ledger's begin finds the mark, so
 * nothing is sent meanwhile). After it:
 * - an attempt that recorded its request as written (or this one, which wrote it and lost the answer): nothing
 *   proves the request did not reach Twilio (Twilio may still be working on it), so the recipient is unknown and
 *   never resent;
 * - an attempt whose mark says its request was never written (a worker killed between its mark and its request):
 *   had the request left, Twilio would list it by now, so it never left herald; the recipient goes back to queued
 *   and is sent, as after any request Twilio did not get. Not before the write deadline after the mark, past which
 *   that attempt can no longer write it (gate-and-begin.ts), whatever the patience.
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
    const now = deps.clock.now();
    const lookAgainAt = now + (deps.lookAgainMs ?? LOOK_AGAIN_MS);
    if (lookAgainAt - verdict.since <= (deps.reconcilePatienceMs ?? 0)) {
      await recordOwnWrite(send, deps);
      send.verdict = { kind: 'later', until: lookAgainAt };
      return;
    }
    const { unwritten } = verdict;
    if (found.kind === 'not-found' && unwritten !== undefined) {
      const deadline = unwritten.since + WRITE_DEADLINE_MS;
      if (now <= deadline) {
        send.verdict = { kind: 'later', until: deadline + 1 };
        return;
      }
      const campaign = send.target.spec.name;
      const released = await deps.ledger.releaseUnwritten(campaign, send.data.to, unwritten, send.senderId);
      // Not released: the mark changed meanwhile (settled, or recorded written at last); the gate reads it anew.
      send.verdict = released
        ? {
            kind: 'later',
            until: now,
            retry: { code: 'not-written', reason: `${verdict.context}; not in Twilio's message list, so sent again` },
          }
        : { kind: 'later', until: now };
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

/**
 * This attempt wrote its request and lost the answer: before its job leaves the mark for a later look, the mark
 * says that it was written (create-message records it without waiting, which may not have reached Redis), so that
 * whichever worker looks next does not take it for a request that never left.
 */
async function recordOwnWrite(send: Send, deps: SendDeps): Promise<void> {
  const verdict = send.verdict;
  if (send.mark === undefined || verdict?.kind !== 'look-up' || verdict.unwritten !== undefined) return;
  await deps.ledger.markWritten(send.target.spec.name, send.data.to, send.mark);
}
