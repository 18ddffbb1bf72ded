import type { SendStep } from '../send-job.js';

/**
 * Puts the recipient back to queued as soon as Twilio's answer says it did not process the request (a transient
 * fault, a throttle, a hold, a halt), before any other write: the release is the one write Redis allows when it is
 * out of memory (src/store/lua/release-1.lua), so a later write that fails (a hold, a throttle, the job's retry)
 * leaves a queued recipient to send again, never an in-flight mark that the next attempt would record unknown.
 */
export const releaseUnsent: SendStep = {
  name: 'release-unsent',
  acts: true,
  async run(send, deps) {
    const kind = send.verdict?.kind;
    if (send.answer?.ok !== false || (kind !== 'retry' && kind !== 'stop-link')) return;
    await deps.ledger.release(send.target.spec.name, send.data.to, send.senderId);
  },
};
