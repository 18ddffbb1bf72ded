import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

import { buildCampaignSpec } from '../../src/cli/campaign-options.js';
import { senderId } from '../../src/domain/sender.js';
import { runIngest } from '../../src/ingest/run-ingest.js';
import { startLocalRedis } from '../../src/local/redis-server.js';
import { CampaignStore } from '../../src/queue/campaign-store.js';
import { makeKeys } from '../../src/store/keys.js';
import { Ledger } from '../../src/store/ledger.js';
import { connectRedis } from '../../src/redis/redis-connection.js';
import { writeRecipientsCsv } from './lib/recipients-csv.js';
import { pairedRatios, renderTable, round, roundSpread, spreadOf, type SummaryRow } from './lib/stats.js';
import { describeMachine, replaceDocSection } from './report.js';
import { stopChildrenOnExit } from '../../src/local/children.js';

/**
 * `npm run bench:memory`: Redis `used_memory` per waiting recipient of a campaign queued by herald (its BullMQ jobs
 * and the recipient ledger, which holds one field per recipient), against bare BullMQ jobs carrying only `{to}`
 * with the number as job id, in the same Redis flushed in between. herald's figure is split into its parts with
 * MEMORY USAGE: job hashes (sampled), the wait list, the ledger hash, and the rest (keyspace entries, allocator).
 */
const { values: flags } = parseArgs({
  options: {
    recipients: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
  },
});
const recipients = flags.quick ? 10_000 : Number(flags.recipients);
const runs = Number(flags.runs);
const TARGET_RATIO = 2;
const SAMPLE = 1000;
const FROM = '+14155550100';
const BODY = 'Hi {{first_name}}, your code is {{code}}';

interface HeraldParts {
  total: number;
  jobHash: number;
  waitList: number;
  ledger: number;
  rest: number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-memory-'));
  const file = join(dir, 'recipients.csv');
  await writeRecipientsCsv(file, recipients, 0);
  const redis = await startLocalRedis({ install: true });
  const connection = await connectRedis(redis.url, { role: 'command' });
  const herald: HeraldParts[] = [];
  const bare: number[] = [];
  try {
    for (let run = 1; run <= runs; run++) {
      herald.push(await measureHerald(connection, file, dir, run));
      bare.push(await measureBare(connection));
      console.error(
        `run ${run}: herald ${Math.round(herald.at(-1)!.total)} B/recipient, bare ${Math.round(bare.at(-1)!)} B/job`,
      );
    }
  } finally {
    await connection.quit();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const totals = herald.map((parts) => parts.total);
  const ratio = spreadOf(pairedRatios(totals, bare));
  const part = (name: keyof HeraldParts) => roundSpread(spreadOf(herald.map((parts) => parts[name])), 0);
  const row = {
    measure: 'Redis used_memory per waiting recipient (B)',
    herald: spreadOf(totals),
    baseline: spreadOf(bare),
    ratio,
    target: `ratio ≤ ${TARGET_RATIO}`,
  };
  const table = renderTable([row]);
  const rows: SummaryRow[] = [{ bench: 'memory', ...row, pass: ratio.median <= TARGET_RATIO }];
  const parts = { jobHash: part('jobHash'), waitList: part('waitList'), ledger: part('ledger'), rest: part('rest') };
  const partsTable = [
    '| herald, per recipient | bytes (min / median / max) |',
    '|---|---|',
    ...Object.entries(parts).map(
      ([name, spread]) =>
        `| ${PART_NAMES[name as keyof typeof parts]} | ${spread.min} / **${spread.median}** / ${spread.max} |`,
    ),
  ].join('\n');
  console.log(`${table}\n\n${partsTable}`);
  const result = {
    bench: 'memory',
    recipients,
    runs,
    bytesPerRecipient: { herald: roundSpread(spreadOf(totals), 0), baseline: roundSpread(spreadOf(bare), 0) },
    ratio: roundSpread(ratio),
    heraldParts: parts,
    pass: ratio.median <= TARGET_RATIO,
    table: rows,
  };
  console.log(JSON.stringify(result));
  if (flags.write) {
    replaceDocSection(
      'memory',
      [
        `Run: \`npm run bench:memory -- --write${flags.quick ? ' --quick' : ''}\` (${recipients.toLocaleString('en-US')} recipients, ${runs} runs; template \`${BODY}\`). ${describeMachine()}`,
        '',
        `**Median ratio ${round(ratio.median, 2)} (target ≤ ${TARGET_RATIO}).**`,
        '',
        table,
        '',
        partsTable,
      ].join('\n'),
    );
    console.error('wrote docs/benchmarks.md');
  }
}

const PART_NAMES = {
  jobHash: 'BullMQ job hash (MEMORY USAGE, sampled)',
  waitList: 'its entry in the wait list',
  ledger: 'ledger field (recipients hash)',
  rest: 'the rest: keyspace entries, allocator slack, campaign records',
} as const;

async function usedMemory(connection: Redis): Promise<number> {
  const info = await connection.info('memory');
  const match = /^used_memory:(\d+)/m.exec(info);
  if (match === null) throw new Error('INFO memory has no used_memory');
  return Number(match[1]);
}

async function memoryUsage(connection: Redis, key: string): Promise<number> {
  // SAMPLES 0 walks every element, so large hashes and lists are measured, not estimated.
  return Number(await connection.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
}

/** Average MEMORY USAGE of the first SAMPLE jobs in a (campaign, sender) queue's wait list. */
async function averageJobHash(connection: Redis, queueKey: (part: string) => string): Promise<number> {
  const ids = await connection.lrange(queueKey('wait'), 0, SAMPLE - 1);
  let sum = 0;
  for (const id of ids) sum += await memoryUsage(connection, queueKey(id));
  return sum / ids.length;
}

async function measureHerald(connection: Redis, file: string, dir: string, run: number): Promise<HeraldParts> {
  await connection.flushall();
  const keys = makeKeys('herald');
  const built = buildCampaignSpec(
    { campaign: `bench-memory-${run}`, from: [FROM], body: BODY, media: [], toColumn: 'phone', transactional: true },
    new Date(),
  );
  if (!built.ok) throw new Error(built.reason);
  const before = await usedMemory(connection);
  const summary = await runIngest(
    { connection, keys, store: new CampaignStore(connection, keys), ledger: new Ledger(connection, keys) },
    { file, spec: built.spec, rejectedPath: join(dir, 'rejected.csv'), chunkSize: 1000 },
  );
  if (summary.queued !== recipients) throw new Error(`herald queued ${summary.queued} of ${recipients}`);
  const total = ((await usedMemory(connection)) - before) / recipients;
  const sender = built.spec.senders[0];
  if (sender === undefined) throw new Error('the campaign has no sender');
  const queueKey = (part: string) => keys.sendQueueKey(built.spec.name, senderId(sender.sender), part);
  const jobHash = await averageJobHash(connection, queueKey);
  const waitList = (await memoryUsage(connection, queueKey('wait'))) / recipients;
  const ledger = (await memoryUsage(connection, keys.recipients(built.spec.name))) / recipients;
  return { total, jobHash, waitList, ledger, rest: total - jobHash - waitList - ledger };
}

async function measureBare(connection: Redis): Promise<number> {
  await connection.flushall();
  const queue = new Queue('bare-memory', { connection });
  const before = await usedMemory(connection);
  for (let start = 0; start < recipients; start += 1000) {
    const chunk = Array.from({ length: Math.min(1000, recipients - start) }, (_, index) => {
      const to = `+1212${2_000_000 + start + index}`;
      return { name: 'send', data: { to }, opts: { jobId: to } };
    });
    await queue.addBulk(chunk);
  }
  const perJob = ((await usedMemory(connection)) - before) / recipients;
  await queue.close();
  return perJob;
}

stopChildrenOnExit();
main().catch((error: unknown) => {
  console.error(`bench:memory failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
