import { mkdtempSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { startLocalRedis } from '../../src/local/redis-server.js';
import { connectRedis } from '../../src/redis/redis-connection.js';
import { stopChildrenOnExit } from '../../src/local/children.js';
import { writeRecipientsCsv } from './lib/recipients-csv.js';
import { inTurns } from './lib/in-turns.js';
import { runBareSend, runHeraldSend } from './lib/send-runs.js';
import {
  pairedRatios,
  renderTable,
  round,
  roundSpread,
  spreadOf,
  type SummaryRow,
  type TableRow,
} from './lib/stats.js';
import { describeMachine, replaceDocSection } from './report.js';

/**
 * `npm run bench:scaling`: the send-overhead measurement (lib/send-runs.ts) with 1, 2 and 4 worker processes, herald
 * and the bare Worker + SDK baseline scaled alike, on the same Redis and a fresh sandbox each. Reports each side's
 * messages/s, the ratio, and each side's speed-up over its own single process.
 */
const { values: flags } = parseArgs({
  options: {
    recipients: { type: 'string', default: '20000' },
    workers: { type: 'string', default: '1,2,4' },
    concurrency: { type: 'string', default: '50' },
    runs: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
  },
});
const recipients = flags.quick ? 2_000 : Number(flags.recipients);
const workerCounts = flags.workers.split(',').map(Number);
const concurrency = Number(flags.concurrency);
const runs = Number(flags.runs);
if (workerCounts.some((count) => !Number.isInteger(count) || count < 1))
  throw new Error(`--workers must list whole numbers of processes, e.g. 1,2,4 (got ${flags.workers})`);

interface Point {
  workers: number;
  herald: number[];
  bare: number[];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-scaling-'));
  const file = join(dir, 'recipients.csv');
  await writeRecipientsCsv(file, recipients, 0);
  const redis = await startLocalRedis({ install: true });
  const connection = await connectRedis(redis.url, { role: 'command' });
  const points: Point[] = workerCounts.map((workers) => ({ workers, herald: [], bare: [] }));
  try {
    // Each run measures every process count once, so a drift of the host's load spreads over all of them.
    for (let run = 1; run <= runs; run++) {
      for (const point of points) {
        const send = {
          connection,
          redisUrl: redis.url,
          file,
          dir,
          recipients,
          workers: point.workers,
          concurrency,
          label: `scaling-${point.workers}-${run}`,
        };
        const [herald, bare] = await inTurns(
          run,
          () => runHeraldSend(send),
          () => runBareSend(send),
        );
        point.herald.push(herald.rate);
        point.bare.push(bare.rate);
        console.error(
          `run ${run}, ${point.workers} process(es): herald ${Math.round(point.herald.at(-1)!)} msg/s, ` +
            `bare ${Math.round(point.bare.at(-1)!)} msg/s`,
        );
      }
    }
  } finally {
    await connection.quit();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const single = points[0]!;
  const rows: TableRow[] = points.map((point) => ({
    measure: `messages/s, ${point.workers} process${point.workers === 1 ? '' : 'es'} × concurrency ${concurrency}`,
    herald: spreadOf(point.herald),
    baseline: spreadOf(point.bare),
    ratio: spreadOf(pairedRatios(point.herald, point.bare)),
    target: '–',
  }));
  const speedUp = points.map((point) => ({
    workers: point.workers,
    herald: round(spreadOf(point.herald).median / spreadOf(single.herald).median, 2),
    baseline: round(spreadOf(point.bare).median / spreadOf(single.bare).median, 2),
  }));
  const speedUpTable = [
    `| processes | herald speed-up over ${single.workers} | baseline speed-up over ${single.workers} |`,
    '|---|---|---|',
    ...speedUp.map((point) => `| ${point.workers} | ${point.herald} | ${point.baseline} |`),
  ].join('\n');
  const table = renderTable(rows);
  console.log(`${table}\n\n${speedUpTable}`);
  const summary: SummaryRow[] = rows.map((row) => ({ bench: 'scaling', ...row, pass: true }));
  console.log(
    JSON.stringify({
      bench: 'scaling',
      recipients,
      concurrency,
      runs,
      cores: cpus().length,
      points: points.map((point, index) => ({
        workers: point.workers,
        messagesPerSecond: {
          herald: roundSpread(spreadOf(point.herald), 0),
          baseline: roundSpread(spreadOf(point.bare), 0),
        },
        ratio: roundSpread(rows[index]!.ratio),
        speedUp: speedUp[index],
      })),
      // Scaling has no target of its own: it shows where adding processes stops paying on this host.
      pass: true,
      table: summary,
    }),
  );
  if (flags.write) {
    replaceDocSection(
      'scaling',
      [
        `Run: \`npm run bench:scaling -- --write${flags.quick ? ' --quick' : ` --recipients ${recipients} --runs ${runs}`}\` (${recipients.toLocaleString('en-US')} recipients, ${workerCounts.join(' / ')} worker processes, concurrency ${concurrency} each, plain HTTP, sandbox latency 0, ${runs} run${runs === 1 ? '' : 's'}). ${describeMachine()}`,
        '',
        table,
        '',
        speedUpTable,
      ].join('\n'),
    );
    console.error('wrote docs/benchmarks.md');
  }
}

stopChildrenOnExit();
main().catch((error: unknown) => {
  console.error(`bench:scaling failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
