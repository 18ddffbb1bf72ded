import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

import { buildCampaignSpec } from '../../src/cli/campaign-options.js';
import { runIngest } from '../../src/ingest/run-ingest.js';
import {
  type ChildHandle,
  HERALD_ROOT,
  spawnNode,
  startSandboxProcess,
  startWorkerProcess,
} from '../../src/local/herald-processes.js';
import { startLocalRedis } from '../../src/local/redis-server.js';
import { CampaignStore } from '../../src/queue/campaign-store.js';
import { makeKeys } from '../../src/queue/keys.js';
import { Ledger } from '../../src/queue/ledger.js';
import { connectRedis } from '../../src/queue/redis-connection.js';
import { rateBetween } from './lib/rate-between.js';
import { writeRecipientsCsv } from './lib/recipients-csv.js';
import { pairedRatios, renderTable, round, roundSpread, spreadOf } from './lib/stats.js';
import { describeMachine, replaceDocSection } from './report.js';
import { stopChildrenOnExit } from '../../src/local/children.js';

/**
 * `npm run bench:send`: messages/s of herald's worker processes on a sender with no effective limit (100,000 MPS)
 * and a sandbox that answers at once, against bare BullMQ Workers that only call `messages.create` (lib/bare-sender.ts)
 * with the same concurrency and process count, on the same Redis flushed in between and a fresh sandbox each.
 * Jobs are queued before the workers start; the rate is taken between 10% and 90% sent, so process start-up and
 * the tail, when fewer jobs than slots are left, are not counted.
 */
const { values: flags } = parseArgs({
  options: {
    recipients: { type: 'string', default: '50000' },
    workers: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '50' },
    runs: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
  },
});
const recipients = flags.quick ? 2_000 : Number(flags.recipients);
const workerCount = Number(flags.workers);
const concurrency = flags.concurrency;
const runs = Number(flags.runs);
const TARGET_RATIO = 0.6;
const ACCOUNT_SID = `AC${'5e0d'.repeat(8)}`;
const AUTH_TOKEN = 'bench-token-not-a-secret';
const FROM = '+14155550100';
const BODY = 'Hi {{first_name}}, your code is {{code}}';
const BARE_SENDER = join(HERALD_ROOT, 'dist', 'scripts', 'bench', 'lib', 'bare-sender.js');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-send-'));
  const file = join(dir, 'recipients.csv');
  await writeRecipientsCsv(file, recipients, 0);
  const redis = await startLocalRedis({ install: true });
  const connection = await connectRedis(redis.url, { role: 'command' });
  const herald: number[] = [];
  const bare: number[] = [];
  try {
    for (let run = 1; run <= runs; run++) {
      herald.push(await runHerald(connection, redis.url, file, dir, run));
      bare.push(await runBare(connection, redis.url, run));
      console.error(`run ${run}: herald ${Math.round(herald.at(-1)!)} msg/s, bare ${Math.round(bare.at(-1)!)} msg/s`);
    }
  } finally {
    await connection.quit();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const ratio = spreadOf(pairedRatios(herald, bare));
  const table = renderTable([
    {
      measure: `messages/s, ${workerCount} processes × concurrency ${concurrency}`,
      herald: spreadOf(herald),
      baseline: spreadOf(bare),
      ratio,
      target: `ratio ≥ ${TARGET_RATIO}`,
    },
  ]);
  console.log(table);
  const result = {
    bench: 'send',
    recipients,
    workers: workerCount,
    concurrency: Number(concurrency),
    runs,
    messagesPerSecond: { herald: roundSpread(spreadOf(herald), 0), baseline: roundSpread(spreadOf(bare), 0) },
    ratio: roundSpread(ratio),
    pass: ratio.median >= TARGET_RATIO,
  };
  console.log(JSON.stringify(result));
  if (flags.write) {
    replaceDocSection(
      'send',
      [
        `Run: \`npm run bench:send -- --write${flags.quick ? ' --quick' : ''}\` (${recipients.toLocaleString('en-US')} recipients, ${workerCount} worker processes, concurrency ${concurrency}, plain HTTP, sandbox latency 0, ${runs} runs). ${describeMachine()}`,
        '',
        `**Median ratio ${round(ratio.median, 2)} (target ≥ ${TARGET_RATIO}).**`,
        '',
        table,
      ].join('\n'),
    );
    console.error('wrote docs/benchmarks.md');
  }
}

async function runHerald(connection: Redis, redisUrl: string, file: string, dir: string, run: number): Promise<number> {
  await connection.flushall();
  const keys = makeKeys('herald');
  const built = buildCampaignSpec(
    { campaign: `bench-send-${run}`, from: [FROM], mps: 100_000, body: BODY, media: [], toColumn: 'phone' },
    new Date(),
  );
  if (!built.ok) throw new Error(built.reason);
  const summary = await runIngest(
    { connection, keys, store: new CampaignStore(connection, keys), ledger: new Ledger(connection, keys) },
    { file, spec: built.spec, rejectedPath: join(dir, 'rejected.csv'), chunkSize: 1000 },
  );
  if (summary.queued !== recipients) throw new Error(`herald queued ${summary.queued} of ${recipients}`);
  const sandbox = await startSandboxProcess({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const workers = await Promise.all(
    Array.from({ length: workerCount }, () =>
      startWorkerProcess({
        REDIS_URL: redisUrl,
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: AUTH_TOKEN,
        HERALD_TWILIO_BASE_URL: sandbox.url,
        HERALD_CONCURRENCY: concurrency,
        HERALD_MAX_IN_FLIGHT: concurrency,
        LOG_LEVEL: 'warn',
      }),
    ),
  );
  try {
    const counts = keys.counts(built.spec.name);
    return await rateBetween(async () => Number((await connection.hget(counts, 'sent')) ?? 0), recipients, 'herald');
  } finally {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await sandbox.stop();
  }
}

async function runBare(connection: Redis, redisUrl: string, run: number): Promise<number> {
  await connection.flushall();
  const name = `bare-send-${run}`;
  const queue = new Queue(name, { connection });
  for (let start = 0; start < recipients; start += 1000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1000, recipients - start) }, (_, index) => {
        const row = start + index;
        // The same numbers and rendered text the generated CSV gives herald.
        const to = `+1212${2_000_000 + row}`;
        const body = `Hi Name${row % 9973}, your code is C${(row * 7919) % 1_000_000}`;
        return { name: 'send', data: { to, from: FROM, body }, opts: { jobId: to } };
      }),
    );
  }
  await queue.close();
  const sandbox = await startSandboxProcess({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const workers: ChildHandle[] = Array.from({ length: workerCount }, () =>
    spawnNode([BARE_SENDER], {
      REDIS_URL: redisUrl,
      SANDBOX_URL: sandbox.url,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      CONCURRENCY: concurrency,
      QUEUE: name,
    }),
  );
  try {
    return await rateBetween(
      async () => {
        // A failed send would never complete; stop at once rather than wait out the deadline.
        const failed = await connection.zcard(`bull:${name}:failed`);
        if (failed > 0) throw new Error(`the baseline failed ${failed} sends: ${workers[0]?.output().slice(-1000)}`);
        return connection.zcard(`bull:${name}:completed`);
      },
      recipients,
      'baseline',
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await sandbox.stop();
  }
}

stopChildrenOnExit();
main().catch((error: unknown) => {
  console.error(`bench:send failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
