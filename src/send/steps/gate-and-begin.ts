import { detailOf, type Send, type SendDeps } from '../send-job.js';

/**
 * How long after the gate was asked its "go" may still be acted on. Past it the request is not written, and the
 * mark is released: an attempt whose unwritten mark another worker finds (this process stalled so long that its job
 * went to another) is thus known, this long after its mark, never to write its request (look-up-lost.ts).
 */
export const WRITE_DEADLINE_MS = 10_000;

/**
 * Asks the campaign's gate (pause, cancel, a scheduled start) and, when it is open, marks the recipient in flight in
 * the same script (the mark of a request not yet written); true when the send may go, else the send has its verdict.
 * create-message runs it on a connected socket right before the request is written: after the slot's wait, so a
 * pause or a cancel that landed meanwhile still stops this send, and with nothing left to wait for between the mark
 * and the request, so that a worker killed before the request leaves as few unwritten marks as it can (each is
 * looked up, and sent once the patience shows it never left: look-up-lost.ts).
 */
export async function gateAndBegin(send: Send, deps: SendDeps): Promise<boolean> {
  const { job } = send;
  const token = `${job.id}/${job.attemptsStarted}`;
  const campaign = send.target.spec.name;
  const askedAt = deps.clock.now();
  const answer = await deps.gate.checkAndBegin(campaign, send.data.to, token, new Date(askedAt));
  switch (answer.kind) {
    case 'go': {
      const mark = { since: askedAt, token };
      const waited = deps.clock.now() - askedAt;
      if (waited <= WRITE_DEADLINE_MS) {
        send.mark = mark;
        return true;
      }
      await deps.ledger.releaseUnwritten(campaign, send.data.to, mark, send.senderId);
      const reason = `the campaign gate answered ${Math.round(waited / 1000)} s after it was asked; sent again`;
      send.verdict = { kind: 'later', until: deps.clock.now(), retry: { code: 'not-written', reason } };
      return false;
    }
    case 'paused':
      send.verdict = { kind: 'paused' };
      return false;
    case 'wait':
      send.verdict = { kind: 'later', until: answer.until };
      return false;
    case 'cancelled':
      // What the report shows of it, kept as a cancel's sweep keeps the others'.
      await deps.gate.keepCancelled(campaign, send.data.to, detailOf(send, false, deps.clock.now()));
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
    case 'in-flight': {
      const started = new Date(answer.since).toISOString();
      send.verdict = {
        kind: 'look-up',
        since: answer.since,
        notFound: 'interrupted',
        context: answer.written
          ? `an earlier attempt started at ${started} wrote its request, which may have reached Twilio`
          : `an earlier attempt started at ${started} may have stopped before writing its request`,
        ...(answer.written ? {} : { unwritten: { since: answer.since, token: answer.token } }),
      };
      return false;
    }
  }
}
