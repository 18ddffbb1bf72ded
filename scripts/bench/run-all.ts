import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { HERALD_ROOT } from '../../src/local/herald-processes.js';
import { stopChildrenOnExit, trackChild } from '../../src/local/children.js';

/**
 * `npm run bench`: every benchmark, one after another (never side by side: they would measure each other), each
 * in its own process with its own redis-server and sandbox. --quick and --write go to all of them, --runs to those
 * that repeat. Throttle accuracy needs its full minute per scenario to mean anything, and the cluster benchmark
 * starts six redis-servers, so --quick leaves both out.
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
  { name: 'throttle', script: 'throttle.js', repeats: false },
  { name: 'cluster', script: 'cluster.js', repeats: true },
] as const;

function run(script: string, args: string[]): Promise<number | null> {
  const child = spawn(process.execPath, [join(HERALD_ROOT, 'dist', 'scripts', 'bench', script), ...args], {
    stdio: 'inherit',
  });
  trackChild(child);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

const failed: string[] = [];
stopChildrenOnExit();
for (const bench of BENCHES) {
  if (flags.quick && (bench.name === 'throttle' || bench.name === 'cluster')) {
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
if (failed.length > 0) {
  console.error(`bench: ${failed.join(', ')} failed`);
  process.exitCode = 1;
}
