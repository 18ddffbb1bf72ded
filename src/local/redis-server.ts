import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

import { trackChild } from './children.js';
import { findFreePort } from './free-port.js';

/** A private redis-server started by herald's demo, tests and benchmarks; never the system's own. */
export interface LocalRedis {
  url: string;
  port: number;
  dir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface LocalRedisOptions {
  /** Install Debian's redis-server with apt-get when it is missing (only works as root). */
  install?: boolean;
  /** Turn AOF on (fsync every second), as in production. */
  appendOnly?: boolean;
  /** Keep the data directory after stop (for a restart on the same data). */
  dir?: string;
  port?: number;
  /** Further redis-server arguments (a cluster node's `--cluster-enabled yes …`). */
  extraArgs?: readonly string[];
}

const SEARCH_DIRS = ['/usr/bin', '/usr/sbin', '/usr/local/bin'];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds redis-server on PATH or in Debian's locations, installing it with apt-get when allowed and missing. */
export function findRedisServer(install: boolean): string {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), ...SEARCH_DIRS];
  const found = dirs.map((dir) => join(dir, 'redis-server')).find(isExecutable);
  if (found !== undefined) return found;
  if (!install || process.getuid?.() !== 0) {
    throw new Error('redis-server is not installed; install it (Debian: apt-get install redis-server) and retry');
  }
  console.error('herald: redis-server is missing; installing Debian’s redis-server with apt-get…');
  const apt = (args: string[]) =>
    execFileSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  try {
    apt(['install', '-y', '-qq', 'redis-server']);
  } catch {
    apt(['update', '-qq']);
    apt(['install', '-y', '-qq', 'redis-server']);
  }
  return findRedisServer(false);
}

/** Starts redis-server on a free loopback port and resolves once it accepts connections. */
export async function startLocalRedis(options: LocalRedisOptions = {}): Promise<LocalRedis> {
  const binary = findRedisServer(options.install ?? false);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'herald-redis-'));
  mkdirSync(dir, { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await findFreePort());
    try {
      return await launch(binary, port, dir, options);
    } catch (error) {
      // Another process may take the port between findFreePort and bind; a fresh port settles it.
      if (attempt >= 3 || options.port !== undefined) throw error;
    }
  }
}

function launch(binary: string, port: number, dir: string, options: LocalRedisOptions): Promise<LocalRedis> {
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    options.appendOnly ? 'yes' : 'no',
    '--appendfsync',
    'everysec',
    '--maxmemory-policy',
    'noeviction',
    '--daemonize',
    'no',
    '--loglevel',
    'notice',
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Ready to accept connections/i.test(output)) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(handle(child, port, dir, options.dir === undefined));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output.trim().slice(-300)}`)));
  });
}

function handle(child: ChildProcess, port: number, dir: string, ownsDir: boolean): LocalRedis {
  child.removeAllListeners('exit');
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          if (ownsDir) rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGTERM');
      }),
  };
}
