import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { startLocalRedis } from '../../src/local/redis-server.js';
import { connectRedis } from '../../src/redis/redis-connection.js';
import { inTurns } from './lib/in-turns.js';
import { writeRecipientsCsv } from './lib/recipients-csv.js';
import { runBareSend, runHeraldSend, type SendMeasure, type SendRun } from './lib/send-runs.js';
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
import { stopChildrenOnExit } from '../../src/local/children.js';

/**
 * `npm run bench:send`: messages/s of herald's worker processes on a sender with no effective limit (100,000 MPS)
 * and a sandbox that answers at once, against bare BullMQ Workers that only call `messages.create` (lib/bare-sender.ts)
 * with the same concurrency and process count, on the same Redis flushed in between and a fresh sandbox each.
 * Jobs are queued before the workers start; the rate is taken between 10% and 90% sent, so process start-up and
 * the tail, when fewer jobs than slots are left, are not counted. Over the same stretch, the CPU time each part used
 * (the sending processes, Redis, the sandbox) is read per message: steadier than the rate on a shared host, where a
 * process also waits for a core. `--cpu-prof <dir>` profiles every sending process of both sides into `dir`.
 */
const { values: flags } = parseArgs({
  options: {
    recipients: { type: 'string', default: '50000' },
    workers: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '50' },
    runs: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
  },
});
const recipients = flags.quick ? 2_000 : Number(flags.recipients);
const workerCount = Number(flags.workers);
const concurrency = flags.concurrency;
const runs = Number(flags.runs);
/**
 * herald's floor against bare BullMQ + the SDK: its bookkeeping (the ledger, pacing, the gate, metrics) may cost up
 * to a fifth of the bare throughput; where the simpler design and the last percent conflict, the simpler one wins.
 */
const TARGET_RATIO = 0.8;

/** The parts whose CPU per message the table shows, with their row's label. */
const CPU_PARTS: readonly (readonly ['workers' | 'redis' | 'sandbox', string])[] = [
  ['workers', 'CPU µs per message: sending processes (user + system)'],
  ['redis', 'CPU µs per message: Redis'],
  ['sandbox', 'CPU µs per message: sandbox'],
];

function allMeasured(values: readonly (number | undefined)[]): values is number[] {
  return values.every((value) => value !== undefined);
}

function describe(measure: SendMeasure): string {
  const cpu = CPU_PARTS.map(([part]) => `${part} ${Math.round(measure.cpu[part] ?? NaN)}`).join(', ');
  const { redisCommands, redisReads } = measure.cpu;
  return `${Math.round(measure.rate)} msg/s, CPU µs/msg ${cpu}; Redis commands/msg ${redisCommands.toFixed(2)}, reads/msg ${redisReads.toFixed(2)}`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-send-'));
  const file = join(dir, 'recipients.csv');
  await writeRecipientsCsv(file, recipients, 0);
  const redis = await startLocalRedis({ install: true });
  const connection = await connectRedis(redis.url, { role: 'command' });
  const heraldRuns: SendMeasure[] = [];
  const bareRuns: SendMeasure[] = [];
  const cpuProfileDir = flags['cpu-prof'];
  try {
    for (let run = 1; run <= runs; run++) {
      const send: SendRun = {
        connection,
        redisUrl: redis.url,
        file,
        dir,
        recipients,
        workers: workerCount,
        concurrency: Number(concurrency),
        label: `send-${run}`,
        ...(cpuProfileDir === undefined ? {} : { cpuProfileDir }),
      };
      const [herald, bare] = await inTurns(
        run,
        () => runHeraldSend(send),
        () => runBareSend(send),
      );
      heraldRuns.push(herald);
      bareRuns.push(bare);
      console.error(`run ${run}: herald ${describe(herald)}; bare ${describe(bare)}`);
    }
  } finally {
    await connection.quit();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const herald = heraldRuns.map((measure) => measure.rate);
  const bare = bareRuns.map((measure) => measure.rate);
  const ratio = spreadOf(pairedRatios(herald, bare));
  const row = {
    measure: `messages/s, ${workerCount} processes × concurrency ${concurrency}`,
    herald: spreadOf(herald),
    baseline: spreadOf(bare),
    ratio,
    target: `ratio ≥ ${TARGET_RATIO}`,
  };
  // A part whose CPU could not be read in some run (not Linux, a process gone) gets no row.
  const cpu = CPU_PARTS.flatMap(([part, label]) => {
    const heraldCpu = heraldRuns.map((measure) => measure.cpu[part]);
    const bareCpu = bareRuns.map((measure) => measure.cpu[part]);
    if (!allMeasured(heraldCpu) || !allMeasured(bareCpu)) return [];
    const cpuRow: TableRow = {
      measure: label,
      herald: spreadOf(heraldCpu),
      baseline: spreadOf(bareCpu),
      ratio: spreadOf(pairedRatios(heraldCpu, bareCpu)),
      target: '–',
    };
    return [{ part, row: cpuRow }];
  });
  const cpuRows = cpu.map(({ row: cpuRow }) => cpuRow);
  const table = renderTable([row, ...cpuRows]);
  const rows: SummaryRow[] = [{ bench: 'send', ...row, pass: ratio.median >= TARGET_RATIO }];
  console.log(table);
  const result = {
    bench: 'send',
    recipients,
    workers: workerCount,
    concurrency: Number(concurrency),
    runs,
    messagesPerSecond: { herald: roundSpread(spreadOf(herald), 0), baseline: roundSpread(spreadOf(bare), 0) },
    cpuMicrosecondsPerMessage: Object.fromEntries(
      cpu.map(({ part, row: cpuRow }) => [
        part,
        { herald: roundSpread(cpuRow.herald, 0), baseline: roundSpread(cpuRow.baseline, 0) },
      ]),
    ),
    ratio: roundSpread(ratio),
    pass: ratio.median >= TARGET_RATIO,
    table: rows,
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

stopChildrenOnExit();
main().catch((error: unknown) => {
  console.error(`bench:send failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
