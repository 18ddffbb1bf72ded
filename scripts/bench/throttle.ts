import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { buildCampaignSpec } from '../../src/cli/campaign-options.js';
import { achievedRate, type Arrival } from '../../src/domain/achieved-rate.js';
import { parseRateGroupsFile } from '../../src/domain/rate-group-file.js';
import { chainOf, perSecond, type RateGroups, tightestRate } from '../../src/domain/rate-group.js';
import { countSegments } from '../../src/domain/segments.js';
import { parseSender } from '../../src/domain/sender.js';
import { runIngest } from '../../src/ingest/run-ingest.js';
import { stopChildrenOnExit } from '../../src/local/children.js';
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
import { connectRedis } from '../../src/redis/redis-connection.js';
import { RateGroupsStore } from '../../src/rate/rate-groups-store.js';
import type { GroupStats, SandboxRequest, SenderReport } from '../../src/sandbox/index.js';
import { round, spreadOf, type SummaryRow } from './lib/stats.js';
import { describeMachine, replaceDocSection } from './report.js';

/**
 * `npm run bench:throttle`: how close the rate seen at the receiving end comes to the tightest limit that applies,
 * and how much backlog the sends build in Twilio's queues (the sandbox models them: a message starts to be sent once
 * every limit of its chain allows), with four worker processes sharing one Redis, over HTTPS with the sandbox
 * answering after 200 ms (as Twilio might). (a) 20 long codes at 1 MPS, 2 toll-free at 3 MPS and a short code at
 * 100 MPS, each its own limit; (b) one long code sending 3-segment SMS; (c) rate groups: a 10DLC pool of 10 numbers
 * with no limit of their own at 40/s, a pool of 4 numbers at 600/min, and a short code (100/s) inside an account at
 * 30/s. Prints one JSON line per limit measured and a summary; --write records them in docs/benchmarks.md.
 */
const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    workers: { type: 'string', default: '4' },
    quick: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    /** Also write every measured arrival (sender, ms) to this JSON file, to study a result. */
    dump: { type: 'string' },
  },
});
const seconds = flags.quick ? 6 : Number(flags.seconds);
/**
 * Rates are measured from this long after a scenario's first arrival, when every process has opened its queues,
 * connections and TLS sessions and the producer has stopped ingesting on the same two cores. The backlog is taken
 * over the whole run, its start included.
 */
const settleSeconds = flags.quick ? 1 : 5;
const workerCount = Number(flags.workers);
const ACCOUNT_SID = `AC${'be7c'.repeat(8)}`;
const AUTH_TOKEN = 'bench-token-not-a-secret';
/** The floor for the achieved rate against the tightest limit, and its goal. */
const TARGET_ACHIEVED = 0.98;
const GOAL_ACHIEVED = 0.99;
/** The longest a message may wait in Twilio's queue: under one second of its limit's sending. */
const TARGET_BACKLOG_SECONDS = 1;
const LONG_BODY = `Hi {{name}}. ${'Your parcel is on its way and will arrive tomorrow. '.repeat(7)}`;

const numbers = (first: number, count: number) =>
  Array.from({ length: count }, (_, index) => `+1415555${String(first + index).padStart(4, '0')}`);
const POOL = numbers(300, flags.quick ? 4 : 10);
const PER_MINUTE = numbers(400, 4);
const GROUPS_FILE = {
  groups: [
    { name: 'tenDLC', kind: 'pool', limit: '40/s', memberLimit: 'none', senders: POOL },
    { name: 'perMinute', kind: 'pool', limit: '600/min', memberLimit: 'none', senders: PER_MINUTE },
    { name: 'account', kind: 'account', limit: '30/s' },
    { name: 'shortCodes', kind: 'pool', parent: 'account', senders: ['55502'] },
  ],
};

/** What one measured row covers: a sender alone, or a group's senders together, against its tightest limit. */
interface Subject {
  label: string;
  senders: string[];
}

interface Scenario {
  name: string;
  senders: string[];
  body: string;
  subjects: Subject[];
}

const alone = (senders: string[]): Subject[] => senders.map((sender) => ({ label: sender, senders: [sender] }));
const SINGLES = [
  ...numbers(100, flags.quick ? 2 : 20),
  '+18005550101',
  ...(flags.quick ? [] : ['+18335550102']),
  '55501',
];
const SCENARIOS: Scenario[] = [
  { name: 'a', senders: SINGLES, body: 'Hi {{name}}, your order has shipped.', subjects: alone(SINGLES) },
  { name: 'b', senders: ['+14155550200'], body: LONG_BODY, subjects: alone(['+14155550200']) },
  {
    name: 'c',
    senders: [...POOL, ...PER_MINUTE, '55502'],
    body: 'Hi {{name}}, your order has shipped.',
    subjects: [
      { label: 'tenDLC (pool)', senders: POOL },
      { label: 'perMinute (pool)', senders: PER_MINUTE },
      { label: '55502 in account', senders: ['55502'] },
    ],
  },
];

export interface SubjectResult {
  scenario: string;
  subject: string;
  /** The tightest limit that applies to the subject's sends together, per second. */
  limit: number;
  messages: number;
  achieved: number;
  ratio: number;
  /** The longest any of its messages waited in the modelled queue at Twilio, in seconds. */
  peakBacklogSeconds: number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-throttle-'));
  const parsed = parseRateGroupsFile(JSON.stringify(GROUPS_FILE));
  if (!parsed.ok) throw new Error(parsed.reason);
  const groupsFile = join(dir, 'groups.json');
  writeFileSync(groupsFile, JSON.stringify(GROUPS_FILE));
  const redis = await startLocalRedis({ install: true });
  const sandbox = await startSandboxProcess({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    latencyMs: 200,
    tls: { caFile: join(dir, 'sandbox-ca.pem') },
    // Twilio's queues, with the same groups as herald's: the backlog is measured against them.
    flags: ['--groups', groupsFile],
  });
  const workers: WorkerProcess[] = [];
  try {
    const connection = await connectRedis(redis.url, { role: 'command' });
    await new RateGroupsStore(connection, makeKeys('herald')).apply(parsed.groups);
    await connection.quit();
    for (let index = 0; index < workerCount; index++) {
      workers.push(
        await startWorkerProcess({
          REDIS_URL: redis.url,
          TWILIO_ACCOUNT_SID: ACCOUNT_SID,
          TWILIO_AUTH_TOKEN: AUTH_TOKEN,
          HERALD_TWILIO_BASE_URL: sandbox.url,
          HERALD_TWILIO_CA_FILE: join(dir, 'sandbox-ca.pem'),
          LOG_LEVEL: 'warn',
        }),
      );
    }
    const results: SubjectResult[] = [];
    for (const scenario of SCENARIOS) {
      console.error(`scenario ${scenario.name}: ${scenario.senders.length} senders for ${seconds} s…`);
      results.push(...(await runScenario(scenario, parsed.groups, redis.url, sandbox, dir)));
    }
    const summary = {
      minRatio: round(Math.min(...results.map((result) => result.ratio))),
      peakBacklogSeconds: round(Math.max(...results.map((result) => result.peakBacklogSeconds))),
      seconds,
      workers: workerCount,
    };
    const table: SummaryRow[] = [
      {
        bench: 'throttle',
        measure: `achieved ÷ tightest limit, over ${results.length} senders and groups`,
        herald: spreadOf(results.map((result) => result.ratio)),
        target: `≥ ${TARGET_ACHIEVED} (goal ${GOAL_ACHIEVED})`,
        pass: summary.minRatio >= TARGET_ACHIEVED,
        digits: 3,
      },
      {
        bench: 'throttle',
        measure: 'longest wait in Twilio’s modelled queue (s of its limit’s sending)',
        herald: spreadOf(results.map((result) => result.peakBacklogSeconds)),
        target: `< ${TARGET_BACKLOG_SECONDS}`,
        pass: summary.peakBacklogSeconds < TARGET_BACKLOG_SECONDS,
        digits: 3,
      },
    ];
    console.log(
      JSON.stringify({ bench: 'throttle', ...summary, pass: table.every((row) => row.pass), table, subjects: results }),
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
  groups: RateGroups,
  redisUrl: string,
  sandbox: SandboxProcess,
  dir: string,
): Promise<SubjectResult[]> {
  const connection = await connectRedis(redisUrl, { role: 'command' });
  const keys = makeKeys('herald');
  const deps = { connection, keys, store: new CampaignStore(connection, keys), ledger: new Ledger(connection, keys) };
  const limitOf = (from: string) => {
    const parsed = parseSender(from);
    if (!parsed.ok) throw new Error(parsed.reason);
    return tightestRate(chainOf(groups, parsed.sender));
  };
  // One campaign per sender with a little more than the run's worth of recipients at its share, so none runs dry.
  const perMessage = countSegments(scenario.body.replace('{{name}}', 'N00000')).segments;
  await Promise.all(
    scenario.senders.map(async (from, index) => {
      const sharing = scenario.subjects.find((subject) => subject.senders.includes(from))?.senders.length ?? 1;
      const rows = Math.ceil((limitOf(from) * (seconds + settleSeconds + 10)) / sharing / perMessage) + 5;
      const file = join(dir, `${scenario.name}-${index}.csv`);
      const lines = [
        'phone,name',
        ...Array.from({ length: rows }, (_, row) => `+1212${String(2000000 + index * 20000 + row)},N${row}`),
      ];
      writeFileSync(file, lines.join('\n'));
      const built = buildCampaignSpec(
        {
          campaign: `${scenario.name}-${index}`,
          from: [from],
          body: scenario.body,
          media: [],
          toColumn: 'phone',
          transactional: true,
        },
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
  const all = new Set(scenario.senders);
  const start = await firstArrival(sandbox, all);
  const end = start + (settleSeconds + seconds) * 1000;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, end - Date.now()) + 1000));
  for (const name of await deps.store.activeNames()) await deps.connection.srem(keys.activeCampaigns, name);
  const { requests } = await sandbox.inspect<{ requests: SandboxRequest[] }>('/sandbox/requests');
  const queues = await sandbox.inspect<{ senders: SenderReport[]; groups: GroupStats[] }>('/sandbox/senders');
  await connection.quit();
  if (flags.dump !== undefined) {
    const arrivals = requests.filter((request) => all.has(String(request.params['From'])));
    writeFileSync(`${flags.dump}.${scenario.name}.json`, JSON.stringify({ start, arrivals }));
  }
  return scenario.subjects.map((subject) => {
    const limit = subject.senders.length === 1 ? limitOf(subject.senders[0]!) : groupLimitOf(groups, subject);
    const arrivals: Arrival[] = requests
      .filter((request) => subject.senders.includes(String(request.params['From'])) && request.status === 201)
      .map((request) => ({ at: request.receivedAt, cost: countSegments(String(request.params['Body'])).segments }));
    const settled = start + settleSeconds * 1000;
    const measured = arrivals.filter((arrival) => arrival.at >= settled && arrival.at < settled + seconds * 1000);
    const achieved = achievedRate(measured);
    const waits = queues.senders
      .filter((sender) => subject.senders.includes(sender.sender))
      .map((sender) => sender.peakBacklogSeconds);
    return {
      scenario: scenario.name,
      subject: subject.label,
      limit: round(limit),
      messages: measured.length,
      achieved: round(achieved),
      ratio: round(achieved / limit),
      peakBacklogSeconds: round(Math.max(0, ...waits)),
    };
  });
}

/** The limit a group of senders shares: the tightest link they all have in common. */
function groupLimitOf(groups: RateGroups, subject: Subject): number {
  const chains = subject.senders.map((from) => {
    const parsed = parseSender(from);
    if (!parsed.ok) throw new Error(parsed.reason);
    return chainOf(groups, parsed.sender);
  });
  const shared = chains[0]!.links.filter((link) => chains.every((chain) => chain.links.some((l) => l.id === link.id)));
  return Math.min(...shared.flatMap((link) => (link.limit === undefined ? [] : [perSecond(link.limit)])));
}

/** When the scenario's first message reached the sandbox; the measured window starts from there. */
async function firstArrival(sandbox: SandboxProcess, senders: ReadonlySet<string>): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { requests } = await sandbox.inspect<{ requests: SandboxRequest[] }>('/sandbox/requests');
    const ours = requests.filter((request) => senders.has(String(request.params['From'])));
    if (ours.length > 0) return Math.min(...ours.map((request) => request.receivedAt));
    if (Date.now() > deadline) throw new Error('no message reached the sandbox within 30 s; are the workers sending?');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function renderMarkdown(results: SubjectResult[], summary: { minRatio: number; peakBacklogSeconds: number }): string {
  const rows = results.map(
    (result) =>
      `| ${result.scenario} | \`${result.subject}\` | ${result.limit} | ${result.messages} | ${result.achieved} | ${result.ratio} | ${result.peakBacklogSeconds} |`,
  );
  return [
    `Run: \`npm run bench:throttle -- --write\` (${seconds} s per scenario after ${settleSeconds} s of start, ${workerCount} worker processes, HTTPS, sandbox latency 200 ms, the sandbox modelling Twilio's queues with the same rate groups). ${describeMachine()}`,
    '',
    `**Minimum achieved ÷ tightest limit: ${summary.minRatio}** (floor ${TARGET_ACHIEVED}, goal ${GOAL_ACHIEVED}), measured from ${settleSeconds} s after the first arrival. **Longest wait of any message in Twilio's modelled queue: ${summary.peakBacklogSeconds} s** (target under ${TARGET_BACKLOG_SECONDS} s), start included.`,
    '',
    '| scenario | sender or group | tightest limit (per s) | messages | achieved (per s) | achieved ÷ limit | longest wait at Twilio (s) |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

stopChildrenOnExit();
main().catch((error: unknown) => {
  console.error(`bench:throttle failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
