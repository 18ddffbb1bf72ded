import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { Redis } from 'ioredis';

import { trackChild } from './children.js';
import { findFreePort } from './free-port.js';
import { findRedisServer, type LocalRedis, startLocalRedis } from './redis-server.js';

/**
 * A private Redis behind Sentinel for the tests: a master, its replicas (AOF on) and sentinels that monitor it, on
 * free loopback ports. Sentinel is redis-server in sentinel mode (Debian's redis-sentinel package only adds a
 * service for it), so redis-server is all it needs.
 */
export interface LocalRedisSentinel {
  /** `redis+sentinel://127.0.0.1:s1,…/<name>` (REDIS_URL). */
  url: string;
  name: string;
  servers: LocalRedis[];
  /** The server the sentinels name as master now. */
  master(): Promise<LocalRedis>;
  /**
   * Fails the master over to a replica (`SENTINEL FAILOVER`, as an operator does), and resolves once the sentinels
   * name the new master and it answers as one.
   */
  failover(timeoutMs?: number): Promise<{ from: LocalRedis; to: LocalRedis }>;
  stop(): Promise<void>;
}

/**
 * What herald's docs ask of Redis behind Sentinel: a master refuses writes while no replica follows it. During a
 * failover the old master would otherwise take writes after its replica was promoted, and lose them when it is made a
 * replica in turn (herald sends what it could not write there again to the new master).
 */
const SAFE_WRITES = ['--min-replicas-to-write', '1', '--min-replicas-max-lag', '10'];

export interface LocalRedisSentinelOptions {
  replicas?: number;
  sentinels?: number;
  /** The master group's name. */
  name?: string;
  install?: boolean;
}

async function ask<T>(port: number, command: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await command(client);
  } finally {
    client.disconnect();
  }
}

/** Starts one sentinel monitoring the master at `masterPort`; resolves once it monitors it. */
async function startSentinel(binary: string, dir: string, name: string, masterPort: number, quorum: number) {
  const port = await findFreePort();
  const config = join(dir, `sentinel-${port}.conf`);
  writeFileSync(
    config,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${masterPort} ${quorum}`,
      // Small, so that a test's failover takes seconds rather than Sentinel's default minutes.
      `sentinel down-after-milliseconds ${name} 1000`,
      `sentinel failover-timeout ${name} 5000`,
      '',
    ].join('\n'),
  );
  const child = spawn(binary, [config, '--sentinel'], { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/\+monitor master/.test(output)) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.resume();
    child.once('exit', (code) => reject(new Error(`redis sentinel exited with ${code}: ${output.slice(-300)}`)));
  });
  child.removeAllListeners('exit');
  return { port, child };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export async function startLocalRedisSentinel(options: LocalRedisSentinelOptions = {}): Promise<LocalRedisSentinel> {
  const name = options.name ?? 'mymaster';
  const install = options.install ?? false;
  const binary = findRedisServer(install);
  const dir = mkdtempSync(join(tmpdir(), 'herald-sentinel-'));
  const started: LocalRedis[] = [];
  const sentinels: { port: number; child: ChildProcess }[] = [];
  const stop = async () => {
    await Promise.all([...sentinels.map(({ child }) => stopChild(child)), ...started.map((server) => server.stop())]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const primary = await startLocalRedis({
      install,
      appendOnly: true,
      dir: mkdtempSync(join(dir, 'master-')),
      extraArgs: SAFE_WRITES,
    });
    started.push(primary);
    for (let index = 0; index < (options.replicas ?? 1); index++) {
      started.push(
        await startLocalRedis({
          install,
          appendOnly: true,
          dir: mkdtempSync(join(dir, 'replica-')),
          extraArgs: [...SAFE_WRITES, '--replicaof', '127.0.0.1', String(primary.port)],
        }),
      );
    }
    await waitUntil(() => replicasInSync(primary.port, started.length - 1), 'the replicas did not sync', 20_000);
    const count = options.sentinels ?? 1;
    for (let index = 0; index < count; index++) {
      sentinels.push(await startSentinel(binary, dir, name, primary.port, Math.floor(count / 2) + 1));
    }
  } catch (error) {
    await stop();
    throw error;
  }

  const masterPort = async () => {
    for (const { port } of sentinels) {
      const address = await ask(port, (client) => client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)).catch(
        () => null,
      );
      if (Array.isArray(address)) return Number(address[1]);
    }
    throw new Error('no sentinel names a master');
  };
  const serverAt = (port: number) => {
    const server = started.find((candidate) => candidate.port === port);
    if (server === undefined) throw new Error(`the sentinels name an unknown master on port ${port}`);
    return server;
  };
  return {
    url: `redis+sentinel://${sentinels.map(({ port }) => `127.0.0.1:${port}`).join(',')}/${name}`,
    name,
    servers: started,
    master: async () => serverAt(await masterPort()),
    async failover(timeoutMs = 30_000) {
      const from = serverAt(await masterPort());
      const sentinel = sentinels[0]!.port;
      // A sentinel that has not yet seen a replica answer (it asks every few seconds) has none to promote.
      await waitUntil(
        () =>
          ask(sentinel, (client) => client.call('SENTINEL', 'FAILOVER', name)).then(
            () => true,
            (error: Error) => (/NOGOODSLAVE/.test(error.message) ? false : Promise.reject(error)),
          ),
        'Sentinel found no replica to promote',
        timeoutMs,
      );
      let to: LocalRedis | undefined;
      await waitUntil(
        async () => {
          const port = await masterPort();
          if (port === from.port) return false;
          const role = await ask(port, (client) => client.call('ROLE')).catch(() => []);
          to = serverAt(port);
          return Array.isArray(role) && role[0] === 'master';
        },
        'the sentinels named no new master',
        timeoutMs,
      );
      return { from, to: to! };
    },
    stop,
  };
}

async function replicasInSync(masterPort: number, replicas: number): Promise<boolean> {
  const info = await ask(masterPort, (client) => client.info('replication')).catch(() => '');
  return (info.match(/^slave\d+:.*state=online/gm) ?? []).length >= replicas;
}

async function waitUntil(check: () => Promise<boolean>, failure: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${failure} within ${timeoutMs} ms`);
    await sleep(100);
  }
}
