import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trackChild } from '../../../src/local/children.js';

const GNU_TIME = '/usr/bin/time';

export interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall-clock time from spawn to exit, Node's start-up included. */
  seconds: number;
  /**
   * The kernel's peak RSS for the process tree as GNU time reports it (`%M`, from wait4's rusage): the largest
   * resident set of any one process in the tree, not their sum. For `bin/herald.js send`, which re-executes itself
   * in a child node with heap flags, that is the child doing the work (the launcher idles at ~45 MB).
   */
  peakRssMb: number;
  /**
   * User plus system CPU time of the process tree (`%U + %S`). On a shared host a process waits for a core as well
   * as for Redis, so wall-clock time drifts with the load; CPU time says how much work it did.
   */
  cpuSeconds: number;
}

/** Runs `node <args>` under /usr/bin/time so its peak RSS and CPU time come from the kernel, not from sampling. */
export function runNodeMeasured(args: string[], env: Record<string, string>): Promise<ProcessRun> {
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} is missing (Debian: apt-get install time)`);
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-time-'));
  const out = join(dir, 'time.txt');
  const started = performance.now();
  const child = spawn(GNU_TIME, ['-f', '%M %U %S', '-o', out, process.execPath, ...args], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const seconds = (performance.now() - started) / 1000;
      try {
        const [kb, user, system] = (readFileSync(out, 'utf8').trim().split('\n').pop() ?? '').split(' ').map(Number);
        if (kb === undefined || user === undefined || system === undefined)
          throw new Error(`${GNU_TIME} wrote no figures`);
        resolve({ code, stdout, stderr, seconds, peakRssMb: kb / 1024, cpuSeconds: user + system });
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
