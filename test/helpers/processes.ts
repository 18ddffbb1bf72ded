import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

import { findFreePort } from '../../src/local/free-port.js';
import type { SandboxRequest } from '../../src/sandbox/index.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from './stack.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const HERALD_BIN = join(ROOT, 'bin', 'herald.js');
export const WORKER_ENTRY = join(ROOT, 'dist', 'workers', 'sender.js');

export interface RunningProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns a compiled herald entry point (tests run against dist/, which npm test builds first). */
export function spawnNode(args: string[], env: Record<string, string | undefined>): RunningProcess {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env['PATH'], ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

export interface WorkerProcess extends RunningProcess {
  metricsPort: number;
}

export async function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const metricsPort = await findFreePort();
  const worker = spawnNode([WORKER_ENTRY], {
    HERALD_METRICS_PORT: String(metricsPort),
    HERALD_METRICS_HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...env,
  });
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${metricsPort}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { ...worker, metricsPort };
    if (worker.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`worker did not become ready: ${worker.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Sum of a counter's samples whose labels match, read from a worker's /metrics. */
export async function readCounter(
  metricsPort: number,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)))
      sum += Number(line.split(' ').at(-1));
  }
  return sum;
}

export interface SandboxProcess {
  url: string;
  requests(): Promise<SandboxRequest[]>;
  stop(): Promise<void>;
}

/** `herald sandbox` as a child process on a free port, with the test account. */
export async function startSandboxProcess(options: { latencyMs?: number } = {}): Promise<SandboxProcess> {
  const port = await findFreePort();
  const sandbox = spawnNode(
    [HERALD_BIN, 'sandbox', '--port', String(port), '--latency-ms', String(options.latencyMs ?? 0)],
    { TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID, TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN },
  );
  const deadline = Date.now() + 15_000;
  while (!sandbox.output().includes('listening on')) {
    if (sandbox.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`sandbox did not start: ${sandbox.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    requests: async () =>
      ((await (await fetch(`${url}/sandbox/requests`)).json()) as { requests: SandboxRequest[] }).requests,
    stop: async () => {
      sandbox.child.kill('SIGTERM');
      await sandbox.exited;
    },
  };
}
