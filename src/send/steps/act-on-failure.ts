import type { Hold } from '../../domain/hold.js';
import { linkAt, type LinkLevel } from '../../domain/rate-group.js';
import { encodeSendJob } from '../../store/send-job.js';
import { senderAddress } from '../../domain/sender.js';
import type { Send, SendDeps, SendStep } from '../send-job.js';
import { resumeAt } from './take-capacity.js';

/** How long a throttled link waits when Twilio gives no Retry-After. */
const THROTTLE_WAIT_MS = 1000;

/**
 * Acts on an answer that concerns more than this recipient. A throttle slows the link it names (the sender, or its
 * 10DLC pool) in every process; a daily cap holds the sender until a time; a bad From or bad credentials halt the
 * sender or the whole account until an operator resumes it. The request was not processed, so the recipient goes
 * back to queued with the others and its job waits, using no attempt; the first process to put a hold on logs it.
 * A recipient Twilio says replied STOP joins the opt-outs, so that no later campaign texts them.
 */
export const actOnFailure: SendStep = {
  name: 'act-on-failure',
  acts: true,
  async run(send, deps) {
    const verdict = send.verdict;
    if (verdict?.kind === 'failed' && verdict.optOut === true) {
      const added = await deps.optOuts.add(send.data.to, {
        source: 'twilio-21610',
        sender: senderAddress(send.entry.sender),
      });
      if (added) deps.events.emit('opted-out', { source: 'twilio-21610' });
    }
    if (verdict?.kind !== 'stop-link') return;
    const { outcome } = verdict;
    const code = String(outcome.code);
    const retry = { code, reason: outcome.reason };
    const now = deps.clock.now();
    switch (outcome.kind) {
      case 'throttle': {
        const waitMs = outcome.retryAfterMs ?? THROTTLE_WAIT_MS;
        const since = send.data.throttledSince ?? now;
        if (now + waitMs - since > deps.retryWindowMs) {
          send.verdict = { kind: 'failed', code, reason: `still throttled after the retry window: ${outcome.reason}` };
          return;
        }
        if (send.data.throttledSince === undefined) {
          await send.job.updateData(encodeSendJob({ ...send.data, throttledSince: since }, send.target.variables));
        }
        await deps.pacer.throttle(send.chain, linkAt(send.chain, outcome.scope), waitMs);
        send.verdict = { kind: 'later', until: now + waitMs, retry };
        return;
      }
      case 'hold': {
        // A cap Twilio counts for the account (63038) holds every send; a group's, the group the code names.
        const hold: Hold = { state: 'held', code, reason: outcome.reason, since: now, until: outcome.until };
        if (outcome.scope === 'account') {
          tellHeld(send, deps, await deps.holds.holdAccount(hold), 'account', 'account', hold);
        } else {
          const link = linkAt(send.chain, outcome.scope);
          tellHeld(send, deps, await deps.holds.hold(send.chain, link, hold), link.label, link.level, hold);
        }
        send.verdict = { kind: 'later', until: Math.ceil(resumeAt(hold, now)), retry };
        return;
      }
      case 'halt': {
        const hold: Hold = { state: 'halted', code, reason: outcome.reason, since: now };
        const link = linkAt(send.chain, 'sender');
        const newly =
          outcome.scope === 'account'
            ? await deps.holds.haltAccount(code, outcome.reason)
            : await deps.holds.hold(send.chain, link, hold);
        const [subject, level] =
          outcome.scope === 'account' ? ['account', 'account' as const] : [link.label, link.level];
        tellHeld(send, deps, newly, subject, level, hold);
        send.verdict = { kind: 'later', until: Math.ceil(resumeAt(hold, now)), retry };
        return;
      }
    }
  },
};

function tellHeld(
  send: Send,
  deps: SendDeps,
  newly: boolean,
  subject: string,
  level: LinkLevel | 'account',
  hold: Hold,
): void {
  if (newly) deps.events.emit('held', { campaign: send.target.spec.name, subject, level, hold });
}
