import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { HERALD_ROOT } from '../../src/local/herald-processes.js';
import { stopChildrenOnExit, trackChild } from '../../src/local/children.js';
import { renderSummaryTable, type SummaryRow } from './lib/stats.js';

/**
 * `npm run bench`: every benchmark, one after another (never side by side: they would measure each other), each
 * in its own process with its own redis-server and sandbox, then one table of all their figures. --quick and --write
 * go to all of them, --runs to those that repeat. Throttle accuracy needs its full minute per scenario to mean
 * anything, scaling and pool repeat the send benchmark several times over and the cluster benchmark starts six
 * redis-servers, so --quick leaves them out.
 */
const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    runs: { type: 'string' },
  },
});

const BENCHES = [
  { name: 'ingest', script: 'ingest.js', repeats: true },
  { name: 'memory', script: 'memory.js', repeats: true },
  { name: 'send', script: 'send-overhead.js', repeats: true },
  { name: 'scaling', script: 'scaling.js', repeats: true },
  { name: 'pool', script: 'pool.js', repeats: true },
  { name: 'throttle', script: 'throttle.js', repeats: false },
  { name: 'cluster', script: 'cluster.js', repeats: true },
] as const;
const LEFT_OUT_WHEN_QUICK: readonly string[] = ['scaling', 'pool', 'throttle', 'cluster'];

/** Each benchmark's JSON line (`{"bench":…}`) carries its rows of the combined table. */
const summary: SummaryRow[] = [];

function collectRows(line: string): void {
  if (!line.startsWith('{"bench":')) return;
  const result = JSON.parse(line) as { table?: SummaryRow[] };
  summary.push(...(result.table ?? []));
}

function run(script: string, args: string[]): Promise<number | null> {
  const child = spawn(process.execPath, [join(HERALD_ROOT, 'dist', 'scripts', 'bench', script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  trackChild(child);
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    lines.forEach(collectRows);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    // 'close', not 'exit': the last of its output may still be in the pipe when it exits.
    child.once('close', (code) => {
      collectRows(pending);
      resolve(code);
    });
  });
}

const failed: string[] = [];
stopChildrenOnExit();
for (const bench of BENCHES) {
  if (flags.quick && LEFT_OUT_WHEN_QUICK.includes(bench.name)) {
    console.error(`bench ${bench.name}: skipped with --quick (run npm run bench:${bench.name} -- --quick on its own)`);
    continue;
  }
  const args = [
    ...(flags.quick ? ['--quick'] : []),
    ...(flags.write ? ['--write'] : []),
    ...(bench.repeats && flags.runs !== undefined ? ['--runs', flags.runs] : []),
  ];
  console.error(`bench ${bench.name} ${args.join(' ')}`);
  if ((await run(bench.script, args)) !== 0) failed.push(bench.name);
}
if (summary.length > 0) console.log(`\nAll benchmarks:\n\n${renderSummaryTable(summary)}`);
if (failed.length > 0) {
  console.error(`bench: ${failed.join(', ')} failed`);
  process.exitCode = 1;
}
