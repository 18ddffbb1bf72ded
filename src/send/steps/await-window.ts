import { timeZonesOf } from '../../domain/number-time-zones.js';
import { nextOpening } from '../../domain/send-window.js';
import type { SendStep } from '../send-job.js';

/**
 * A recipient outside the campaign's sending window in their local time waits until it next opens, using no
 * attempt and holding nothing: the sender goes on with the recipients inside theirs.
 */
export const awaitWindow: SendStep = {
  name: 'await-window',
  async run(send) {
    const { window } = send.target.spec;
    if (window === undefined) return;
    const now = new Date();
    const opening = nextOpening(window, timeZonesOf(send.data.to), now);
    if (opening.getTime() > now.getTime()) send.verdict = { kind: 'later', until: opening.getTime() };
  },
};
