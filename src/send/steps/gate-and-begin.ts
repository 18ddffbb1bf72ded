import { detailOf, type Send, type SendDeps } from '../send-job.js';

/**
 * Asks the campaign's gate (pause, cancel, a scheduled start) and, when it is open, marks the recipient in flight in
 * the same script; true when the send may go, else the send has its verdict. create-message runs it on a connected
 * socket right before the request is written: after the slot's wait, so a pause or a cancel that landed meanwhile
 * still stops this send, and with nothing left to wait for between the mark and the request, so a worker killed
 * before the request leaves no mark that would make its recipient unknown.
 */
export async function gateAndBegin(send: Send, deps: SendDeps): Promise<boolean> {
  const { job } = send;
  const token = `${job.id}/${job.attemptsStarted}`;
  const answer = await deps.gate.checkAndBegin(send.target.spec.name, send.data.to, token, new Date(deps.clock.now()));
  switch (answer.kind) {
    case 'go':
      return true;
    case 'paused':
      send.verdict = { kind: 'paused' };
      return false;
    case 'wait':
      send.verdict = { kind: 'later', until: answer.until };
      return false;
    case 'cancelled':
      // What the report shows of it, kept as a cancel's sweep keeps the others'.
      await deps.gate.keepCancelled(send.target.spec.name, send.data.to, detailOf(send, false, deps.clock.now()));
      send.verdict = {
        kind: 'skipped',
        reason: 'campaign cancelled',
        result: { settled: 'cancelled' },
        finished: answer.closed,
      };
      return false;
    case 'final':
      send.verdict = {
        kind: 'skipped',
        reason: `already settled (${answer.state.state})`,
        result: { settled: answer.state.state },
      };
      return false;
    case 'missing':
      send.verdict = { kind: 'missing' };
      return false;
    case 'in-flight':
      send.verdict = {
        kind: 'look-up',
        since: answer.since,
        notFound: 'interrupted',
        context: `an earlier attempt started at ${new Date(answer.since).toISOString()} may have reached Twilio`,
      };
      return false;
  }
}
