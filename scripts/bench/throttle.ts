import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { buildCampaignSpec } from '../../src/cli/campaign-options.js';
import { type Arrival, achievedRate, worstWindow } from '../../src/domain/rate-window.js';
import { countSegments } from '../../src/domain/segments.js';
import { parseSender, senderMps } from '../../src/domain/sender.js';
import { runIngest } from '../../src/ingest/run-ingest.js';
import {
  type SandboxProcess,
  startSandboxProcess,
  startWorkerProcess,
  type WorkerProcess,
} from '../../src/local/herald-processes.js';
import { startLocalRedis } from '../../src/local/redis-server.js';
import { CampaignStore } from '../../src/queue/campaign-store.js';
import { makeKeys } from '../../src/store/keys.js';
import { Ledger } from '../../src/store/ledger.js';
import { connectRedis } from '../../src/queue/redis-connection.js';
import type { SandboxRequest } from '../../src/sandbox/index.js';
import { round, spreadOf, type SummaryRow } from './lib/stats.js';
import { describeMachine, replaceDocSection } from './report.js';
import { stopChildrenOnExit } from '../../src/local/children.js';

/**
 * `npm run bench:throttle`: how close each sender's rate, seen at the receiving end, stays to its limit with four
 * worker processes sharing one Redis, over HTTPS with the sandbox answering after 200 ms (as Twilio might).
 * (a) 20 long codes at 1 MPS, 2 toll-free at 3 MPS and a short code at 100 MPS; (b) one long code sending 3-segment
 * SMS. Prints one JSON line per sender and a summary; --write records them in docs/benchmarks.md.
 */
const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    workers: { type: 'string', default: '4' },
    /** HERALD_PACE_HEADROOM of the workers. */
    headroom: { type: 'string', default: '0.04' },
    quick: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    /** Also write every measured arrival (sender, ms, cost) to this JSON file, to study a result. */
    dump: { type: 'string' },
  },
});
const seconds = flags.quick ? 6 : Number(flags.seconds);
/**
 * The rates are measured from this long after a scenario's first arrival, when every process has opened its queues,
 * connections and TLS sessions and the producer has stopped ingesting on the same two cores. The windows of those
 * first seconds are reported on their own (`start…` fields) and held to the same target.
 */
const settleSeconds = flags.quick ? 1 : 5;
const workerCount = Number(flags.workers);
const ACCOUNT_SID = `AC${'be7c'.repeat(8)}`;
const AUTH_TOKEN = 'bench-token-not-a-secret';
/** The target for a sender's achieved rate against its limit. */
const TARGET_ACHIEVED = 0.95;
const LONG_BODY = `Hi {{name}}. ${'Your parcel is on its way and will arrive tomorrow. '.repeat(7)}`;

interface Scenario {
  name: string;
  senders: string[];
  body: string;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'a',
    senders: [
      ...Array.from({ length: flags.quick ? 2 : 20 }, (_, index) => `+1415555${String(100 + index).padStart(4, '0')}`),
      '+18005550101',
      ...(flags.quick ? [] : ['+18335550102']),
      '55501',
    ],
    body: 'Hi {{name}}, your order has shipped.',
  },
  { name: 'b', senders: ['+14155550200'], body: LONG_BODY },
];

export interface SenderResult {
  scenario: string;
  sender: string;
  limit: number;
  messages: number;
  achieved: number;
  ratio: number;
  /** The busiest window's cost per second; the window is a second, or one message's time when that is longer. */
  worstWindowPerSecond: number;
  windowMs: number;
  /** The same over the first seconds of the scenario, before the measured run. */
  startWorstWindowPerSecond: number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-throttle-'));
  const redis = await startLocalRedis({ install: true });
  const sandbox = await startSandboxProcess({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    latencyMs: 200,
    tls: { caFile: join(dir, 'sandbox-ca.pem') },
  });
  const workers: WorkerProcess[] = [];
  try {
    for (let index = 0; index < workerCount; index++) {
      workers.push(
        await startWorkerProcess({
          REDIS_URL: redis.url,
          TWILIO_ACCOUNT_SID: ACCOUNT_SID,
          TWILIO_AUTH_TOKEN: AUTH_TOKEN,
          HERALD_TWILIO_BASE_URL: sandbox.url,
          HERALD_TWILIO_CA_FILE: join(dir, 'sandbox-ca.pem'),
          LOG_LEVEL: 'warn',
          HERALD_PACE_HEADROOM: flags.headroom,
        }),
      );
    }
    const results: SenderResult[] = [];
    for (const scenario of SCENARIOS) {
      console.error(`scenario ${scenario.name}: ${scenario.senders.length} senders for ${seconds} s…`);
      results.push(...(await runScenario(scenario, redis.url, sandbox, dir)));
    }
    const summary = {
      minRatio: round(Math.min(...results.map((result) => result.ratio))),
      worstWindowExcess: round(Math.max(...results.map((result) => result.worstWindowPerSecond - result.limit))),
      startWorstWindowExcess: round(
        Math.max(...results.map((result) => result.startWorstWindowPerSecond - result.limit)),
      ),
      seconds,
      workers: workerCount,
    };
    const table: SummaryRow[] = [
      {
        bench: 'throttle',
        measure: `achieved ÷ limit, over ${results.length} senders`,
        herald: spreadOf(results.map((result) => round(result.ratio))),
        target: `≥ ${TARGET_ACHIEVED}`,
        pass: summary.minRatio >= TARGET_ACHIEVED,
        digits: 3,
      },
      {
        bench: 'throttle',
        measure: `worst window over the limit (per s), after the first ${settleSeconds} s`,
        herald: spreadOf(results.map((result) => round(result.worstWindowPerSecond - result.limit))),
        target: '≤ 0',
        pass: summary.worstWindowExcess <= 0,
      },
      {
        bench: 'throttle',
        measure: `worst window over the limit (per s), in the first ${settleSeconds} s`,
        herald: spreadOf(results.map((result) => round(result.startWorstWindowPerSecond - result.limit))),
        target: '≤ 0',
        pass: summary.startWorstWindowExcess <= 0,
      },
    ];
    console.log(
      JSON.stringify({ bench: 'throttle', ...summary, pass: table.every((row) => row.pass), table, senders: results }),
    );
    if (flags.write) {
      replaceDocSection('throttle', renderMarkdown(results, summary));
      console.log('wrote docs/benchmarks.md');
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await sandbox.stop();
    await redis.stop();
  }
}

async function runScenario(
  scenario: Scenario,
  redisUrl: string,
  sandbox: SandboxProcess,
  dir: string,
): Promise<SenderResult[]> {
  const connection = await connectRedis(redisUrl, { role: 'command' });
  const keys = makeKeys('herald');
  const deps = { connection, keys, store: new CampaignStore(connection, keys), ledger: new Ledger(connection, keys) };
  const limits = new Map<string, number>();
  // One campaign per sender with a little more than the run's worth of recipients, so no sender runs dry.
  await Promise.all(
    scenario.senders.map(async (from, index) => {
      const parsed = parseSender(from);
      if (!parsed.ok) throw new Error(parsed.reason);
      const limit = senderMps(parsed.sender);
      limits.set(from, limit);
      const perMessage = countSegments(scenario.body.replace('{{name}}', 'N00000')).segments;
      const rows = Math.ceil((limit * (seconds + 10)) / perMessage);
      const file = join(dir, `${scenario.name}-${index}.csv`);
      const lines = [
        'phone,name',
        ...Array.from({ length: rows }, (_, row) => `+1212${String(2000000 + index * 20000 + row)},N${row}`),
      ];
      writeFileSync(file, lines.join('\n'));
      const built = buildCampaignSpec(
        { campaign: `${scenario.name}-${index}`, from: [from], body: scenario.body, media: [], toColumn: 'phone' },
        new Date(),
      );
      if (!built.ok) throw new Error(built.reason);
      const ingest = await runIngest(deps, {
        file,
        spec: built.spec,
        rejectedPath: join(dir, 'rejected.csv'),
        chunkSize: 1000,
      });
      if (ingest.queued !== rows)
        throw new Error(`campaign ${built.spec.name} queued ${ingest.queued} of ${rows} rows`);
    }),
  );
  const start = await firstArrival(sandbox, limits);
  const end = start + (settleSeconds + seconds) * 1000;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, end - Date.now()) + 1000));
  for (const name of await deps.store.activeNames()) await deps.connection.srem(keys.activeCampaigns, name);
  const { requests } = await sandbox.inspect<{ requests: SandboxRequest[] }>('/sandbox/requests');
  await connection.quit();
  if (flags.dump !== undefined) {
    const arrivals = requests.filter((request) => limits.has(String(request.params['From'])));
    writeFileSync(`${flags.dump}.${scenario.name}.json`, JSON.stringify({ start, arrivals }));
  }
  return scenario.senders.map((from) => measure(scenario.name, from, limits.get(from)!, requests, start));
}

/** When the scenario's first message reached the sandbox; the measured window starts there. */
async function firstArrival(sandbox: SandboxProcess, senders: ReadonlyMap<string, number>): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { requests } = await sandbox.inspect<{ requests: SandboxRequest[] }>('/sandbox/requests');
    const ours = requests.filter((request) => senders.has(String(request.params['From'])));
    if (ours.length > 0) return Math.min(...ours.map((request) => request.receivedAt));
    if (Date.now() > deadline) throw new Error('no message reached the sandbox within 30 s; are the workers sending?');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function measure(
  scenario: string,
  sender: string,
  limit: number,
  requests: SandboxRequest[],
  start: number,
): SenderResult {
  const all: Arrival[] = requests
    .filter((request) => request.params['From'] === sender && request.status === 201)
    .map((request) => ({ at: request.receivedAt, cost: countSegments(String(request.params['Body'])).segments }));
  const settled = start + settleSeconds * 1000;
  const arrivals = all.filter((arrival) => arrival.at >= settled && arrival.at < settled + seconds * 1000);
  const windowMs = Math.max(1000, (Math.max(1, ...all.map((arrival) => arrival.cost)) * 1000) / limit);
  // Every window that starts in the first seconds, including those that end after them.
  const startArrivals = all.filter((arrival) => arrival.at < settled + windowMs);
  const achieved = achievedRate(arrivals);
  return {
    scenario,
    sender,
    limit,
    messages: arrivals.length,
    achieved: round(achieved),
    ratio: round(achieved / limit),
    worstWindowPerSecond: round(worstWindow(arrivals, windowMs) / (windowMs / 1000)),
    windowMs: Math.round(windowMs),
    startWorstWindowPerSecond: round(worstWindow(startArrivals, windowMs) / (windowMs / 1000)),
  };
}

function renderMarkdown(
  results: SenderResult[],
  summary: { minRatio: number; worstWindowExcess: number; startWorstWindowExcess: number },
): string {
  const rows = results.map(
    (result) =>
      `| ${result.scenario} | \`${result.sender}\` | ${result.limit} | ${result.messages} | ${result.achieved} | ${result.ratio} | ${result.worstWindowPerSecond} (${result.windowMs} ms) | ${result.startWorstWindowPerSecond} |`,
  );
  return [
    `Run: \`npm run bench:throttle -- --write\` (${seconds} s per scenario after ${settleSeconds} s of start, ${workerCount} worker processes, HTTPS, sandbox latency 200 ms, HERALD_PACE_HEADROOM ${flags.headroom}). ${describeMachine()}`,
    '',
    `**Minimum achieved/limit: ${summary.minRatio}. Worst window over the limit: ${summary.worstWindowExcess}** (≤ 0 means no window over it), measured from ${settleSeconds} s after the first arrival; in those first ${settleSeconds} s: ${summary.startWorstWindowExcess}.`,
    '',
    `| scenario | sender | limit (per s) | messages | achieved (per s) | achieved / limit | worst window (per s) | worst window, first ${settleSeconds} s |`,
    '|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

stopChildrenOnExit();
main().catch((error: unknown) => {
  console.error(`bench:throttle failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
