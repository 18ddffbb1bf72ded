import { legalHoldAt } from '../../compliance/legal-hold.js';
import { holdBack } from '../hold-back.js';
import type { Send, SendDeps, SendStep } from '../send-job.js';

/**
 * A US or +1-territory recipient outside the hours US law allows in their local time (the federal rule and their
 * state's stricter one, src/compliance/sending-hours.json) waits for their next legal minute, using no attempt and
 * holding nothing: the sender goes on with the recipients inside theirs. Before the slot is taken, so a held recipient
 * costs its sender no capacity; create-message asks again right before the request (a slot's wait may cross into
 * quiet hours). The hour is Redis's. A campaign declared transactional is not held.
 */
export const awaitLegalHours: SendStep = {
  name: 'await-legal-hours',
  async run(send, deps) {
    await holdIfQuietHours(send, deps);
  },
};

/** Holds the send when its recipient may not be texted now; whether it did. */
export async function holdIfQuietHours(send: Send, deps: SendDeps): Promise<boolean> {
  if (send.target.spec.transactional === true) return false;
  const hold = legalHoldAt(send.data.to, deps.clock.now(), deps.compliance.law);
  if (hold === undefined) return false;
  await holdBack(send, deps, { reason: 'quiet-hours', ...hold });
  return true;
}
