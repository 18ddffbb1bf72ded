import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { ROOT, spawnNode } from '../helpers/processes.js';

/**
 * The benchmarks are scripts, not tests; this only checks that the benchmarks `npm run bench -- --quick` runs go to
 * the end, on the smallest inputs that take every step (--smoke, one run each: half the CPU of --quick), and that
 * each printed its JSON line. Their figures are not asserted: on a shared machine they are noise at this size.
 */
describe('npm run bench -- --smoke', () => {
  it('runs every benchmark to the end and prints one JSON line each', async () => {
    const run = spawnNode([join(ROOT, 'dist', 'scripts', 'bench', 'run-all.js'), '--smoke', '--runs', '1'], {});
    const { code } = await run.exited;
    const output = run.output();
    expect({ code, tail: code === 0 ? '' : output.slice(-3000) }).toEqual({ code: 0, tail: '' });
    const results = output
      .split('\n')
      .filter((line) => line.startsWith('{"bench":'))
      .map((line) => JSON.parse(line) as { bench: string; runs: number });
    expect(results.map((result) => result.bench).sort()).toEqual(['ingest', 'memory', 'send']);
    expect(results.every((result) => result.runs === 1)).toBe(true);
  }, 120_000);
});
