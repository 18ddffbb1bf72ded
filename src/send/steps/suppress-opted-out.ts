import { OPTED_OUT_CODE, type SendStep } from '../send-job.js';

/** A recipient who replied STOP after the campaign was queued (Twilio would answer 21610) fails without a request. */
export const suppressOptedOut: SendStep = {
  name: 'suppress-opted-out',
  async run(send, deps) {
    if (await deps.optOuts.has(send.data.to))
      send.verdict = { kind: 'failed', code: OPTED_OUT_CODE, reason: 'recipient opted out (replied STOP)' };
  },
};
