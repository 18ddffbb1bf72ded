import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

import { trackChild } from './children.js';
import { findFreePort } from './free-port.js';

/**
 * herald's own processes (the CLI, the sandbox, sending workers) started as children, for the demo, the tests and
 * the benchmarks: each gets only the environment it is given (and PATH), so variables exported in the shell of
 * whoever runs them cannot change what is measured.
 */

/** The checkout this module runs from, found by walking up to bin/herald.js (it runs both from src/ and dist/). */
export const HERALD_ROOT = findRoot(import.meta.dirname);
export const HERALD_BIN = join(HERALD_ROOT, 'bin', 'herald.js');
export const WORKER_ENTRY = join(HERALD_ROOT, 'dist', 'workers', 'sender.js');

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'bin', 'herald.js'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no herald checkout above ${from}`);
  }
}

/**
 * How long a sandbox or worker process may take to come up. About a second on an idle machine; on two cores shared
 * with other work, loading its modules alone has taken over 15 s. A process that exits is reported at once.
 */
const STARTUP_TIMEOUT_MS = 60_000;

/** The longest a finished process's output is waited for (see spawnNode). */
const OUTPUT_DRAIN_MS = 2000;

/** Resolves once a child's output pipe has been read to its end (or was never there). */
function closedOf(stream: Readable | null): Promise<void> {
  if (stream === null || stream.closed) return Promise.resolve();
  return new Promise((resolve) => stream.once('close', () => resolve()));
}

export interface ChildHandle {
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal (SIGTERM by default) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface SpawnOptions {
  /** Also append its output to this file. */
  logFile?: string;
  /** Flags for node itself, before the script (e.g. `--cpu-prof`, which NODE_OPTIONS does not allow). */
  nodeFlags?: readonly string[];
}

/** Runs `node <args>` with only `env` (and PATH) in its environment. */
export function spawnNode(
  args: string[],
  env: Record<string, string | undefined>,
  options: SpawnOptions = {},
): ChildHandle {
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), ...args], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  let output = '';
  const log = options.logFile === undefined ? undefined : createWriteStream(options.logFile, { flags: 'a' });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      log?.write(chunk);
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      // 'exit' can come before the last of the process's output has been read from its pipes: wait for them to
      // close, at most OUTPUT_DRAIN_MS in case a process it started holds them open.
      let timer: NodeJS.Timeout | undefined;
      const drained = Promise.all([child.stdout, child.stderr].map(closedOf));
      const late = new Promise<void>((done) => (timer = setTimeout(done, OUTPUT_DRAIN_MS)));
      void Promise.race([drained, late]).then(() => {
        clearTimeout(timer);
        log?.end();
        resolve({ code, signal });
      });
    }),
  );
  return {
    child,
    output: () => output,
    exited,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Resolves once `url` answers 2xx; fails when the process exits first or after `timeoutMs`. */
export async function waitForHttpOk(url: string, handle: ChildHandle, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (
    !(await fetch(url).then(
      (response) => response.ok,
      () => false,
    ))
  ) {
    if (handle.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`${what} did not become ready: ${handle.output().slice(-2000)}`);
    }
    await sleep(50);
  }
}

export interface SandboxProcessOptions {
  accountSid: string;
  authToken: string;
  latencyMs?: number;
  /** HTTPS with a certificate made at start; its PEM is written to `caFile`. */
  tls?: { caFile: string };
  /** Further `herald sandbox` flags (faults, sender queues, callbacks). */
  flags?: string[];
  logFile?: string;
}

export interface SandboxProcess extends ChildHandle {
  url: string;
  /** GETs a JSON inspection endpoint, e.g. `/sandbox/requests`. */
  inspect<T>(path: string): Promise<T>;
}

/** `herald sandbox` in its own process, as Twilio is its own machine, on a free loopback port. */
export async function startSandboxProcess(options: SandboxProcessOptions): Promise<SandboxProcess> {
  const port = await findFreePort();
  const args = [HERALD_BIN, 'sandbox', '--port', String(port), '--latency-ms', String(options.latencyMs ?? 0)];
  if (options.tls !== undefined) args.push('--tls', '--ca-out', options.tls.caFile);
  const handle = spawnNode(
    [...args, ...(options.flags ?? [])],
    { TWILIO_ACCOUNT_SID: options.accountSid, TWILIO_AUTH_TOKEN: options.authToken },
    options.logFile === undefined ? {} : { logFile: options.logFile },
  );
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (!handle.output().includes('listening on')) {
    if (handle.child.exitCode !== null || Date.now() > deadline) {
      await handle.stop('SIGKILL');
      throw new Error(`the sandbox did not start: ${handle.output().slice(-2000)}`);
    }
    await sleep(20);
  }
  const url = `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`;
  const ca = options.tls === undefined ? undefined : readFileSync(options.tls.caFile, 'utf8');
  return { ...handle, url, inspect: <T>(path: string) => getJson<T>(`${url}${path}`, ca) };
}

export interface WorkerProcess extends ChildHandle {
  metricsPort: number;
}

/** A sending worker (dist/workers/sender.js) with its metrics on a free port; resolves once it is ready. */
export async function startWorkerProcess(
  env: Record<string, string>,
  options: SpawnOptions = {},
): Promise<WorkerProcess> {
  const metricsPort = await findFreePort();
  const handle = spawnNode(
    [WORKER_ENTRY],
    { HERALD_METRICS_PORT: String(metricsPort), HERALD_METRICS_HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    options,
  );
  try {
    await waitForHttpOk(`http://127.0.0.1:${metricsPort}/readyz`, handle, 'a worker', STARTUP_TIMEOUT_MS);
  } catch (error) {
    await handle.stop('SIGKILL');
    throw error;
  }
  return { ...handle, metricsPort };
}

/** A JSON GET that trusts `ca` (the sandbox's self-signed certificate) when given. */
export function getJson<T>(url: string, ca?: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onResponse = (response: import('node:http').IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T);
        } catch (error) {
          reject(error);
        }
      });
      response.on('error', reject);
    };
    const request = url.startsWith('https:') ? httpsGet(url, { ca }, onResponse) : httpGet(url, onResponse);
    request.on('error', reject);
  });
}
