import type { Settlement } from '../../store/ledger.js';
import { encodeDetail } from '../../store/recipient-detail.js';
import { detailOf, type Send, type SendStep } from '../send-job.js';

/**
 * Writes the verdict to the ledger: sent, failed and unknown settle the recipient (with the record the report and
 * resend-failed read). A request Twilio did not process was released to queued as soon as that was known
 * (release-unsent.ts); other verdicts were decided before any mark was set, and write nothing.
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
      // A create call settles it unless the send was refused before one (a row that no longer renders, an opt-out).
      const called = send.answer !== undefined || verdict?.kind === 'sent' || verdict?.kind === 'unknown';
      const record = encodeDetail(detailOf(send, called, deps.clock.now()));
      const { finished, confirmed } = await deps.ledger.settle(campaign, to, channel, settlement, record);
      // A settle no replica confirmed makes its job run again (pipeline.ts), so its campaign's Workers must stay
      // until then: that campaign is let go by the workers' next look at the active campaigns instead.
      if (finished && confirmed) send.finishedCampaign = true;
      if (!confirmed) send.settleUnconfirmed = true;
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
