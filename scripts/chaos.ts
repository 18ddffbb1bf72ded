import { parseArgs } from 'node:util';

import { stopChildrenOnExit } from '../src/local/children.js';
import { runChaos } from './chaos/run-chaos.js';
import { formatTally } from './chaos/tally.js';

/**
 * `npm run chaos`: 10,000 recipients, four worker processes of which one is SIGKILLed and restarted every few
 * seconds, Redis restarted once mid-run on its AOF, and a sandbox that answers 5% of creates 20429, 1% 500, and
 * accepts 0.5% and then cuts the connection. Prints the tally against what the sandbox accepted; exits 1 if any
 * recipient was texted twice, lost, or recorded unknown although no request for it ever reached Twilio.
 */
const { values: flags } = parseArgs({
  options: {
    recipients: { type: 'string', default: '10000' },
    workers: { type: 'string', default: '4' },
    'kill-every-ms': { type: 'string', default: '3000' },
    mps: { type: 'string', default: '200' },
    seed: { type: 'string', default: '5' },
  },
});

stopChildrenOnExit();
const report = await runChaos({
  recipients: Number(flags.recipients),
  workers: Number(flags.workers),
  killEveryMs: Number(flags['kill-every-ms']),
  killUntil: 0.9,
  redisRestartAt: 0.4,
  mps: Number(flags.mps),
  latencyMs: 50,
  faults: { rate429: 0.05, rate500: 0.01, acceptThenDrop: 0.005, seed: Number(flags.seed) },
  timeoutMs: 20 * 60_000,
  log: (line) => console.error(`chaos: ${line}`),
});
const injected = Object.entries(report.injected)
  .map(([fault, count]) => `${count} × ${fault}`)
  .join(', ');
console.log(formatTally(report));
console.log(
  `(${report.seconds} s; ${report.kills} workers SIGKILLed and restarted; Redis restarted ${report.redisRestarts}×; injected: ${injected})`,
);
process.exit(report.sentTwice > 0 || report.neverSent > 0 || report.unknownNeverArrived > 0 ? 1 : 0);
