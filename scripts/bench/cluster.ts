import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { buildCampaignSpec } from '../../src/cli/campaign-options.js';
import { runIngest } from '../../src/ingest/run-ingest.js';
import { stopChildrenOnExit } from '../../src/local/children.js';
import { startSandboxProcess, startWorkerProcess } from '../../src/local/herald-processes.js';
import { startLocalRedisCluster } from '../../src/local/redis-cluster.js';
import { startLocalRedis } from '../../src/local/redis-server.js';
import { CampaignStore } from '../../src/queue/campaign-store.js';
import { makeKeys } from '../../src/store/keys.js';
import { Ledger } from '../../src/store/ledger.js';
import { connectConfiguredRedis, type RedisClient } from '../../src/redis/redis-connection.js';
import { inTurns } from './lib/in-turns.js';
import { rateBetween } from './lib/rate-between.js';
import { writeRecipientsCsv } from './lib/recipients-csv.js';
import { pairedRatios, renderTable, round, roundSpread, spreadOf } from './lib/stats.js';
import { describeMachine, replaceDocSection } from './report.js';

/**
 * `npm run bench:cluster`: the send-overhead workload (a sandbox that answers at once, senders with no effective
 * limit) on one redis-server and on a local Redis Cluster of three masters with a replica each, with the same worker
 * processes, alternating run by run. Each run queues a fresh campaign under its own key prefix with `herald`'s ingest
 * (timed too), then starts the workers; the send rate is taken between 10% and 90% sent. The campaign has several
 * senders so that its queues spread over the shards; ledger writes on the cluster wait for their replica (WAIT,
 * HERALD_REPLICA_WAIT_MS at its default), as in production.
 */
const { values: flags } = parseArgs({
  options: {
    recipients: { type: 'string', default: '20000' },
    senders: { type: 'string', default: '6' },
    workers: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '50' },
    runs: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
  },
});
const recipients = flags.quick ? 2_000 : Number(flags.recipients);
const senderCount = Number(flags.senders);
const workerCount = Number(flags.workers);
const concurrency = flags.concurrency;
const runs = flags.quick ? 1 : Number(flags.runs);
/** The cluster should cost little against one Redis on one machine: its gain is capacity and failover, not speed. */
const TARGET_RATIO = 0.7;
const ACCOUNT_SID = `AC${'c105'.repeat(8)}`;
const AUTH_TOKEN = 'bench-token-not-a-secret';
const BODY = 'Hi {{first_name}}, your code is {{code}}';
const SENDERS = Array.from({ length: senderCount }, (_, index) => `+1415555${String(100 + index).padStart(4, '0')}`);

interface Target {
  label: string;
  env: Record<string, string>;
  connection: RedisClient;
}

interface RunResult {
  sendRate: number;
  ingestRate: number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-cluster-'));
  const file = join(dir, 'recipients.csv');
  await writeRecipientsCsv(file, recipients, 0);
  const redis = await startLocalRedis({ install: true });
  const cluster = await startLocalRedisCluster({ install: true });
  const single: Target = {
    label: 'one Redis',
    env: { REDIS_URL: redis.url },
    connection: await connectConfiguredRedis({ redisUrl: redis.url }, { role: 'command' }),
  };
  const sharded: Target = {
    label: 'cluster',
    env: { REDIS_CLUSTER_NODES: cluster.seeds },
    connection: await connectConfiguredRedis({ redisUrl: cluster.url, replicaWaitMs: 500 }, { role: 'command' }),
  };
  const results = { single: [] as RunResult[], cluster: [] as RunResult[] };
  try {
    for (let run = 1; run <= runs; run++) {
      // The cluster is the side measured against the one Redis.
      const [onCluster, onOne] = await inTurns(
        run,
        () => runOnce(sharded, file, dir, run),
        () => runOnce(single, file, dir, run),
      );
      results.cluster.push(onCluster);
      results.single.push(onOne);
      console.error(
        `run ${run}: one Redis ${Math.round(results.single.at(-1)!.sendRate)} msg/s, ` +
          `cluster ${Math.round(results.cluster.at(-1)!.sendRate)} msg/s`,
      );
    }
  } finally {
    single.connection.disconnect();
    sharded.connection.disconnect();
    await Promise.all([redis.stop(), cluster.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
  const send = { cluster: results.cluster.map((r) => r.sendRate), single: results.single.map((r) => r.sendRate) };
  const ingest = {
    cluster: results.cluster.map((r) => r.ingestRate),
    single: results.single.map((r) => r.ingestRate),
  };
  const sendRatio = spreadOf(pairedRatios(send.cluster, send.single));
  const ingestRatio = spreadOf(pairedRatios(ingest.cluster, ingest.single));
  const table = renderTable([
    {
      measure: `messages/s sent, ${workerCount} processes × concurrency ${concurrency}, ${senderCount} senders (herald = cluster, baseline = one Redis)`,
      herald: spreadOf(send.cluster),
      baseline: spreadOf(send.single),
      ratio: sendRatio,
      target: `ratio ≥ ${TARGET_RATIO}`,
    },
    {
      measure: 'recipients/s queued by herald send’s ingest (same)',
      herald: spreadOf(ingest.cluster),
      baseline: spreadOf(ingest.single),
      ratio: ingestRatio,
      target: '—',
    },
  ]);
  console.log(table);
  console.log(
    JSON.stringify({
      bench: 'cluster',
      recipients,
      senders: senderCount,
      workers: workerCount,
      concurrency: Number(concurrency),
      runs,
      messagesPerSecond: {
        cluster: roundSpread(spreadOf(send.cluster), 0),
        single: roundSpread(spreadOf(send.single), 0),
      },
      ratio: roundSpread(sendRatio),
      ingestRatio: roundSpread(ingestRatio),
      pass: sendRatio.median >= TARGET_RATIO,
    }),
  );
  if (flags.write) {
    replaceDocSection(
      'cluster',
      [
        `Run: \`npm run bench:cluster -- --write${flags.quick ? ' --quick' : ''}\` (${recipients.toLocaleString('en-US')} recipients over ${senderCount} senders, ${workerCount} worker processes, concurrency ${concurrency}, plain HTTP, sandbox latency 0, ${runs} runs; the cluster is 3 masters + 3 replicas on the same machine). ${describeMachine()}`,
        '',
        `**Median ratio cluster ÷ one Redis ${round(sendRatio.median, 2)} (target ≥ ${TARGET_RATIO}).**`,
        '',
        table,
      ].join('\n'),
    );
    console.error('wrote docs/benchmarks.md');
  }
}

async function runOnce(target: Target, file: string, dir: string, run: number): Promise<RunResult> {
  const keys = makeKeys(`bench-${target.env['REDIS_URL'] === undefined ? 'cluster' : 'single'}-${run}`);
  const built = buildCampaignSpec(
    {
      campaign: `bench-cluster-${run}`,
      from: SENDERS,
      mps: 100_000,
      body: BODY,
      media: [],
      toColumn: 'phone',
      transactional: true,
    },
    new Date(),
  );
  if (!built.ok) throw new Error(built.reason);
  const { connection } = target;
  const started = performance.now();
  const summary = await runIngest(
    { connection, keys, store: new CampaignStore(connection, keys), ledger: new Ledger(connection, keys) },
    { file, spec: built.spec, rejectedPath: join(dir, 'rejected.csv'), chunkSize: 1000 },
  );
  const ingestRate = (summary.queued * 1000) / (performance.now() - started);
  const sandbox = await startSandboxProcess({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const workers = await Promise.all(
    Array.from({ length: workerCount }, () =>
      startWorkerProcess({
        ...target.env,
        HERALD_PREFIX: keys.prefix,
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
    const sendRate = await rateBetween(
      async () => Number((await connection.hget(counts, 'sent')) ?? 0),
      summary.queued,
      target.label,
    );
    return { sendRate, ingestRate };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await sandbox.stop();
  }
}

stopChildrenOnExit();
main().catch((error: unknown) => {
  console.error(`bench:cluster failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
