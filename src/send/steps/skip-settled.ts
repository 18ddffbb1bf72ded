import type { SendStep } from '../send-job.js';

/**
 * A recipient settled by an earlier delivery of this job must not use up a slot of its chain. On a first delivery
 * nothing but a cancel can have settled it, and the campaign gate catches that, so only later deliveries read here.
 */
export const skipSettled: SendStep = {
  name: 'skip-settled',
  async run(send, deps) {
    if (send.job.attemptsStarted <= 1) return;
    const settled = await deps.ledger.settledState(send.target.spec.name, send.data.to);
    if (settled !== undefined)
      send.verdict = {
        kind: 'skipped',
        reason: `already settled (${settled.state})`,
        result: { settled: settled.state },
      };
  },
};
