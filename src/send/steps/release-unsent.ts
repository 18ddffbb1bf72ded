import type { SendStep } from '../send-job.js';
import { giveBackCount } from './check-before-write.js';

/**
 * Puts the recipient back to queued as soon as Twilio's answer says it did not process the request (a transient
 * fault, a throttle, a hold, a halt), before any other write: the release is the one write Redis allows when it is
 * out of memory (src/store/lua/release-1.lua), so a later write that fails (a hold, a throttle, the job's retry)
 * leaves a queued recipient to send again, never an in-flight mark that the next attempt would record unknown. A
 * message Twilio did not process, or refused for good, gives its count back to the recipient's frequency cap.
 */
export const releaseUnsent: SendStep = {
  name: 'release-unsent',
  acts: true,
  async run(send, deps) {
    const kind = send.verdict?.kind;
    if (send.answer?.ok !== false) return;
    if (kind === 'retry' || kind === 'stop-link') {
      await deps.ledger.release(send.target.spec.name, send.data.to, send.senderId);
    }
    // Nothing reached the recipient: its frequency cap gets the count back (a refusal for good included).
    if (kind === 'retry' || kind === 'stop-link' || kind === 'failed') await giveBackCount(send, deps);
  },
};
