import type { RecipientHold } from '../store/held-recipients.js';
import type { Send, SendDeps } from './send-job.js';

/**
 * Spreads the jobs a rule holds until the same minute (a whole state at 08:00, a day's cap running out), so they do
 * not all wake the queue in the same millisecond; a minute is small against hours and lets a sender's rate absorb them.
 */
const WAKE_SPREAD_MS = 60_000;

/**
 * Holds the recipient back for a compliance rule: its job waits until the hold ends (plus a spread), using no attempt
 * and holding nothing of its sender's, and the reason is kept for the report and status and told to metrics.
 */
export async function holdBack(send: Send, deps: SendDeps, hold: RecipientHold): Promise<void> {
  const campaign = send.target.spec.name;
  send.verdict = { kind: 'later', until: Math.ceil(hold.until + Math.random() * WAKE_SPREAD_MS) };
  await deps.compliance.recordHold(campaign, send.data.to, hold);
  deps.events.emit('recipient:held', { campaign, reason: hold.reason, until: hold.until });
}
