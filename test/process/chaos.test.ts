import { describe, expect, it } from '@jest/globals';

import { runChaos } from '../../scripts/chaos/run-chaos.js';
import { formatTally } from '../../scripts/chaos/tally.js';

/**
 * `npm run chaos`, small: a few hundred recipients while worker processes are SIGKILLed and restarted, Redis is
 * killed and restarted on its AOF, and the sandbox refuses or cuts off some creates. Nobody may be texted twice,
 * lost, or recorded unknown although no request for them reached the sandbox (what the sandbox received and accepted
 * is the truth, not herald's ledger); figures of the full run are in docs/benchmarks.md.
 */
describe('chaos', () => {
  it('texts nobody twice, loses nobody and records unknown no request that never left, while workers and Redis are killed', async () => {
    const lines: string[] = [];
    const report = await runChaos({
      recipients: 300,
      workers: 3,
      killEveryMs: 2500,
      killUntil: 0.8,
      redisRestartAt: 0.3,
      mps: 20,
      latencyMs: 50,
      faults: { rate429: 0.05, rate500: 0.01, acceptThenDrop: 0.02, seed: 11 },
      // A killed worker's jobs come back within the lock plus two stalled checks (about 9 s here, against a minute
      // with the workers' defaults), and a send it left in flight is looked up once, 2 s being ample for the
      // sandbox, whose message list is never late: the test waits for what it checks, not for production margins.
      lockDurationMs: 5000,
      stalledIntervalMs: 2000,
      reconcilePatienceMs: 2000,
      timeoutMs: 170_000,
      log: (line) => lines.push(line),
    });
    const summary = `${formatTally(report)}\n${lines.join('\n')}`;

    // A kill between the in-flight mark and the request leaves a mark whose request never left: it must end sent,
    // not unknown. (A request the sandbox refused with a 429 or a 500 whose answer died with its worker is unknown:
    // nothing tells herald that it was not created.)
    const { sentTwice, neverSent, unknownNeverArrived } = report;
    expect({ sentTwice, neverSent, unknownNeverArrived, summary }).toEqual({
      sentTwice: 0,
      neverSent: 0,
      unknownNeverArrived: 0,
      summary,
    });
    expect(report.kills).toBeGreaterThanOrEqual(1);
    expect(report.redisRestarts).toBe(1);
    expect(report.injected['drop']).toBeGreaterThan(0);
    const failed = Object.values(report.failed).reduce((sum, count) => sum + count, 0);
    expect(report.sentOnce + failed + report.unknown).toBe(300);
    // Recorded sent means sent, with the SID Twilio gave it.
    expect(report.wrongSid).toBe(0);
  }, 180_000);
});
