import type { Settlement } from '../../queue/ledger.js';
import { encodeDetail } from '../../report/recipient-detail.js';
import type { Send, SendStep } from '../send-job.js';

/**
 * Writes the verdict to the ledger: sent, failed and unknown settle the recipient (with the record the report and
 * resend-failed read); a verdict that puts it back to queued (a retry, a throttle, a hold) releases the in-flight
 * mark. Other verdicts were decided before any mark was set, and write nothing.
 */
export const settle: SendStep = {
  name: 'settle',
  acts: true,
  async run(send, deps) {
    const verdict = send.verdict;
    const campaign = send.target.spec.name;
    const { to, channel } = send.data;
    const settlement = settlementOf(send);
    if (settlement !== undefined) {
      const { finished } = await deps.ledger.settle(campaign, to, channel, settlement, recordOf(send));
      if (finished) send.finishedCampaign = true;
    } else if (verdict?.kind === 'retry' || (verdict?.kind === 'later' && verdict.retry !== undefined)) {
      await deps.ledger.release(campaign, to, send.senderId);
    }
  },
};

function settlementOf(send: Send): Settlement | undefined {
  const verdict = send.verdict;
  switch (verdict?.kind) {
    case 'sent':
      return { state: 'sent', sid: verdict.sid };
    case 'failed':
      return { state: 'failed', code: verdict.code };
    case 'unknown':
      return { state: 'unknown', reason: verdict.code };
    default:
      return undefined;
  }
}

function recordOf(send: Send): string {
  const { job, data } = send;
  return encodeDetail({
    line: data.line,
    senderId: send.senderId,
    channel: data.channel,
    attempts: job.attemptsStarted,
    queuedAt: job.timestamp,
    settledAt: Date.now(),
    vars: data.vars,
  });
}
