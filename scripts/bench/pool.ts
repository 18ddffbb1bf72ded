import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { startLocalRedis } from '../../src/local/redis-server.js';
import { stopChildrenOnExit } from '../../src/local/children.js';
import { connectRedis } from '../../src/redis/redis-connection.js';
import { inTurns } from './lib/in-turns.js';
import { writeRecipientsCsv } from './lib/recipients-csv.js';
import { runHeraldSend, type SendMeasure } from './lib/send-runs.js';
import { pairedRatios, renderTable, round, spreadOf, type SummaryRow, type TableRow } from './lib/stats.js';
import { describeMachine, replaceDocSection } from './report.js';

/**
 * `npm run bench:pool`: what a pool of numbers costs per message against one number. The same campaign is sent by
 * herald's worker processes from one long code, and from a 10DLC pool of 1,000 numbers with no limit of their own
 * (one rate group, so one lane; each recipient on the number rendezvous hashing gives it), at a rate neither
 * reaches, against a sandbox that answers at once. With `--own-limits`, each number of the pool has a limit of its
 * own, as toll-free numbers do, so each is a lane and a queue of its own: 1,000 queues. Reports each side's worker and Redis CPU per message (between 10% and 90% sent),
 * their ratio, and the Redis connections each worker process holds.
 */
const { values: flags } = parseArgs({
  options: {
    recipients: { type: 'string', default: '20000' },
    pool: { type: 'string', default: '1000' },
    workers: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '50' },
    runs: { type: 'string', default: '3' },
    'own-limits': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
  },
});
const recipients = flags.quick ? 2_000 : Number(flags.recipients);
const poolSize = Number(flags.pool);
const workers = Number(flags.workers);
const concurrency = Number(flags.concurrency);
const runs = flags.quick ? 1 : Number(flags.runs);
const ownLimits = flags['own-limits'];
/** The issue's ceiling for a pool's cost per message against one number's, its goal, and the connections' ceiling. */
const COST_CEILING = 1.5;
const COST_GOAL = 1.2;
const CONNECTIONS_CEILING = 10;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-pool-'));
  const file = join(dir, 'recipients.csv');
  await writeRecipientsCsv(file, recipients, 0);
  const redis = await startLocalRedis({ install: true });
  const connection = await connectRedis(redis.url, { role: 'command' });
  const pools: SendMeasure[] = [];
  const singles: SendMeasure[] = [];
  try {
    for (let run = 1; run <= runs; run++) {
      const send = { connection, redisUrl: redis.url, file, dir, recipients, workers, concurrency };
      const [pool, single] = await inTurns(
        run,
        () => runHeraldSend({ ...send, label: `pool-${run}`, poolSize, ownLimits }),
        () => runHeraldSend({ ...send, label: `one-${run}` }),
      );
      pools.push(pool);
      singles.push(single);
      console.error(
        `run ${run}: pool ${Math.round(pool.rate)} msg/s, ${Math.round(pool.cpu.workers ?? NaN)} µs worker CPU/msg; ` +
          `one number ${Math.round(single.rate)} msg/s, ${Math.round(single.cpu.workers ?? NaN)} µs`,
      );
    }
  } finally {
    await connection.quit();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const row = (measure: string, pick: (run: SendMeasure) => number, target: string, digits = 0): TableRow => ({
    measure,
    herald: spreadOf(pools.map(pick)),
    baseline: spreadOf(singles.map(pick)),
    ratio: spreadOf(pairedRatios(pools.map(pick), singles.map(pick))),
    target,
    digits,
  });
  const rows: TableRow[] = [
    row(
      'worker CPU per message (µs)',
      (run) => run.cpu.workers ?? Number.NaN,
      `ratio ≤ ${COST_CEILING} (goal ${COST_GOAL})`,
    ),
    row('Redis CPU per message (µs)', (run) => run.cpu.redis, `ratio ≤ ${COST_CEILING} (goal ${COST_GOAL})`),
    row('messages/s', (run) => run.rate, '–'),
    row('Redis connections per worker process', (run) => run.connectionsPerProcess, `< ${CONNECTIONS_CEILING}`, 1),
  ];
  const costRatio = (index: number) => rows[index]!.ratio.median;
  const pass =
    costRatio(0) <= COST_CEILING &&
    costRatio(1) <= COST_CEILING &&
    Math.max(...pools.map((run) => run.connectionsPerProcess)) < CONNECTIONS_CEILING;
  const table = renderTable(rows).replace(
    '| measure | herald (min / median / max) | baseline | ratio herald ÷ baseline |',
    `| measure | pool of ${poolSize.toLocaleString('en-US')}${ownLimits ? ', each limited' : ''} (min / median / max) | one number | ratio pool ÷ one number |`,
  );
  console.log(table);
  const summary: SummaryRow[] = rows.map((one) => ({ bench: 'pool', ...one, pass }));
  console.log(
    JSON.stringify({
      bench: 'pool',
      recipients,
      poolSize,
      ownLimits,
      workers,
      runs,
      costRatio: { worker: round(costRatio(0)), redis: round(costRatio(1)) },
      pass,
      table: summary,
    }),
  );
  if (flags.write) {
    const section = ownLimits ? 'pool-own-limits' : 'pool';
    const command = `npm run bench:pool -- --write${ownLimits ? ' --own-limits' : ''}`;
    replaceDocSection(
      section,
      [
        `Run: \`${command}${flags.quick ? ' --quick' : ` --recipients ${recipients} --runs ${runs}`}\` (${recipients.toLocaleString('en-US')} recipients, ${workers} worker processes × concurrency ${concurrency}, plain HTTP, sandbox latency 0, ${runs} run${runs === 1 ? '' : 's'} of each side, alternating). ${describeMachine()}`,
        '',
        table,
      ].join('\n'),
      command,
    );
    console.error('wrote docs/benchmarks.md');
  }
  if (!pass) process.exitCode = 1;
}

stopChildrenOnExit();
main().catch((error: unknown) => {
  console.error(`bench:pool failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
