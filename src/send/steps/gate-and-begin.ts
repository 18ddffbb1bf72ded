import type { SendStep } from '../send-job.js';

/**
 * Asks the campaign's gate (pause, cancel, a scheduled start) and, when it is open, marks the recipient in flight in
 * the same script: after the slot's wait, so a pause or a cancel that landed meanwhile still stops this send, and
 * right before the request, so a worker killed before then leaves no mark that would make it unknown.
 */
export const gateAndBegin: SendStep = {
  name: 'gate-and-begin',
  async run(send, deps) {
    const { job } = send;
    const answer = await deps.gate.checkAndBegin(
      send.target.spec.name,
      send.data.to,
      `${job.id}/${job.attemptsStarted}`,
    );
    switch (answer.kind) {
      case 'go':
        return;
      case 'paused':
        send.verdict = { kind: 'paused' };
        return;
      case 'wait':
        send.verdict = { kind: 'later', until: answer.until };
        return;
      case 'cancelled':
        send.verdict = {
          kind: 'skipped',
          reason: 'campaign cancelled',
          result: { settled: 'c:cancelled' },
          finished: answer.closed,
        };
        return;
      case 'final':
        send.verdict = {
          kind: 'skipped',
          reason: `already settled (${answer.state.slice(0, 1)})`,
          result: { settled: answer.state },
        };
        return;
      case 'missing':
        send.verdict = { kind: 'missing' };
        return;
      case 'in-flight':
        send.verdict = {
          kind: 'look-up',
          since: answer.since,
          notFound: 'interrupted',
          context: `an earlier attempt started at ${new Date(answer.since).toISOString()} may have reached Twilio`,
        };
        return;
    }
  },
};
