import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { Redis } from 'ioredis';

import { HERALD_BIN, HERALD_ROOT } from '../../src/local/herald-processes.js';
import { startLocalRedis } from '../../src/local/redis-server.js';
import { inTurns } from './lib/in-turns.js';
import { type ProcessRun, runNodeMeasured } from './lib/measure-process.js';
import { writeRecipientsCsv } from './lib/recipients-csv.js';
import { pairedRatios, renderTable, round, roundSpread, spreadOf, type SummaryRow } from './lib/stats.js';
import { describeMachine, replaceDocSection } from './report.js';
import { stopChildrenOnExit } from '../../src/local/children.js';

/**
 * `npm run bench:ingest`: rows/s and peak RSS of `herald send` on a generated CSV, against csv-parse streaming the
 * same file into bare `Queue.addBulk` chunks of 1000 (lib/bare-ingest.ts) on the same Redis, run after run. Both
 * run as their own process under /usr/bin/time; no workers run, so nothing is sent. Redis is flushed before each.
 */
const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
  },
});
const rows = flags.quick ? 20_000 : Number(flags.rows);
const runs = Number(flags.runs);
const BARE_SCRIPT = join(HERALD_ROOT, 'dist', 'scripts', 'bench', 'lib', 'bare-ingest.js');
const TARGET_RATIO = 0.7;
const TARGET_RSS_MB = 200;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-ingest-'));
  const file = join(dir, 'recipients.csv');
  const generated = await writeRecipientsCsv(file, rows);
  const redis = await startLocalRedis({ install: true });
  const admin = new Redis(redis.url);
  const herald: ProcessRun[] = [];
  const bare: ProcessRun[] = [];
  try {
    for (let run = 1; run <= runs; run++) {
      // Each side starts on an empty Redis.
      const [heraldRun, bareRun] = await inTurns(
        run,
        async () => {
          await admin.flushall();
          return runHerald(file, redis.url, dir, run, rows - generated.bad);
        },
        async () => {
          await admin.flushall();
          return runBare(file, redis.url, rows);
        },
      );
      herald.push(heraldRun);
      bare.push(bareRun);
      console.error(
        `run ${run}: herald ${Math.round(rows / herald.at(-1)!.seconds)} rows/s, ${Math.round(herald.at(-1)!.peakRssMb)} MB, ${round(herald.at(-1)!.cpuSeconds, 1)} s CPU; ` +
          `baseline ${Math.round(rows / bare.at(-1)!.seconds)} rows/s, ${Math.round(bare.at(-1)!.peakRssMb)} MB, ${round(bare.at(-1)!.cpuSeconds, 1)} s CPU`,
      );
    }
  } finally {
    await admin.quit();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const heraldRate = herald.map((run) => rows / run.seconds);
  const bareRate = bare.map((run) => rows / run.seconds);
  const rate = {
    herald: spreadOf(heraldRate),
    baseline: spreadOf(bareRate),
    ratio: spreadOf(pairedRatios(heraldRate, bareRate)),
  };
  const rss = {
    herald: spreadOf(herald.map((run) => run.peakRssMb)),
    baseline: spreadOf(bare.map((run) => run.peakRssMb)),
    ratio: spreadOf(
      pairedRatios(
        herald.map((run) => run.peakRssMb),
        bare.map((run) => run.peakRssMb),
      ),
    ),
  };
  const cpuPerRow = (runs: readonly ProcessRun[]) => runs.map((run) => (run.cpuSeconds * 1e6) / rows);
  const cpu = {
    herald: spreadOf(cpuPerRow(herald)),
    baseline: spreadOf(cpuPerRow(bare)),
    ratio: spreadOf(pairedRatios(cpuPerRow(herald), cpuPerRow(bare))),
  };
  const rateRow = { measure: 'rows/s (file read → jobs queued)', ...rate, target: `ratio ≥ ${TARGET_RATIO}` };
  const rssRow = { measure: 'producer peak RSS (MB)', ...rss, target: `herald ≤ ${TARGET_RSS_MB} MB` };
  // Not a target: CPU per row drifts less than rows/s with a shared host's load, so it shows where a change helped.
  const cpuRow = { measure: 'CPU µs per row (user + system)', ...cpu, target: '–' };
  const table = renderTable([rateRow, rssRow, cpuRow]);
  const summaryRows: SummaryRow[] = [
    { bench: 'ingest', ...rateRow, pass: rate.ratio.median >= TARGET_RATIO },
    { bench: 'ingest', ...rssRow, pass: rss.herald.max <= TARGET_RSS_MB },
  ];
  console.log(table);
  const result = {
    bench: 'ingest',
    rows,
    badRows: generated.bad,
    runs,
    rowsPerSecond: { herald: roundSpread(rate.herald, 0), baseline: roundSpread(rate.baseline, 0) },
    ratio: roundSpread(rate.ratio),
    peakRssMb: { herald: roundSpread(rss.herald, 0), baseline: roundSpread(rss.baseline, 0) },
    cpuMicrosecondsPerRow: { herald: roundSpread(cpu.herald, 0), baseline: roundSpread(cpu.baseline, 0) },
    pass: summaryRows.every((row) => row.pass),
    table: summaryRows,
  };
  console.log(JSON.stringify(result));
  if (flags.write) {
    replaceDocSection(
      'ingest',
      [
        `Run: \`npm run bench:ingest -- --write${flags.quick ? ' --quick' : ''}\` (${rows.toLocaleString('en-US')} rows, ${generated.bad.toLocaleString('en-US')} of them bad, ${runs} runs; ratios pair run i of each). ${describeMachine()}`,
        '',
        `**Median ratio ${round(rate.ratio.median, 2)} (target ≥ ${TARGET_RATIO}); herald's peak RSS at most ${Math.round(rss.herald.max)} MB (target ≤ ${TARGET_RSS_MB} MB).**`,
        '',
        table,
      ].join('\n'),
    );
    console.error('wrote docs/benchmarks.md');
  }
}

async function runHerald(
  file: string,
  redisUrl: string,
  dir: string,
  run: number,
  expected: number,
): Promise<ProcessRun> {
  const result = await runNodeMeasured(
    [
      HERALD_BIN,
      'send',
      file,
      '--campaign',
      `bench-ingest-${run}`,
      '--from',
      '+14155550100',
      '--body',
      'Hi {{first_name}}, your code is {{code}}',
      '--rejected',
      join(dir, `rejected-${run}.csv`),
    ],
    { REDIS_URL: redisUrl, LOG_LEVEL: 'warn' },
  );
  const queued = /queued\s+(\d+)/.exec(result.stdout)?.[1];
  if (result.code !== 0 || Number(queued) !== expected) {
    throw new Error(
      `herald send queued ${queued ?? 'nothing'} of ${expected} (exit ${result.code}): ${result.stdout}${result.stderr.slice(-2000)}`,
    );
  }
  return result;
}

async function runBare(file: string, redisUrl: string, expected: number): Promise<ProcessRun> {
  const result = await runNodeMeasured([BARE_SCRIPT, file], { REDIS_URL: redisUrl });
  if (result.code !== 0 || result.stdout.trim() !== `added ${expected}`) {
    throw new Error(
      `the baseline added ${result.stdout.trim()} of ${expected} (exit ${result.code}): ${result.stderr.slice(-2000)}`,
    );
  }
  return result;
}

stopChildrenOnExit();
main().catch((error: unknown) => {
  console.error(`bench:ingest failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
