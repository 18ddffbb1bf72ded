import { timeZonesOf } from '../../domain/number-time-zones.js';
import { nextOpening } from '../../domain/send-window.js';
import type { SendStep } from '../send-job.js';

/**
 * A recipient outside the campaign's sending window in their local time waits until it next opens, using no
 * attempt and holding nothing: the sender goes on with the recipients inside theirs. The hour is Redis's, so a
 * worker whose own clock is wrong still sends only inside the window.
 */
export const awaitWindow: SendStep = {
  name: 'await-window',
  async run(send, deps) {
    const { window } = send.target.spec;
    if (window === undefined) return;
    const now = new Date(deps.clock.now());
    const opening = nextOpening(window, timeZonesOf(send.data.to), now);
    if (opening.getTime() > now.getTime()) send.verdict = { kind: 'later', until: opening.getTime() };
  },
};
