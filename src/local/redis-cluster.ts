import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

import { Redis } from 'ioredis';

import { findFreePort } from './free-port.js';
import { findRedisServer, type LocalRedis, startLocalRedis } from './redis-server.js';

/**
 * A private Redis Cluster for the tests and the benchmarks: `masters` × (1 + `replicasPerMaster`) redis-server
 * processes with `cluster-enabled yes` on free loopback ports, joined by `redis-cli --cluster create`, AOF on.
 */
export interface LocalRedisCluster {
  nodes: LocalRedis[];
  /** `redis+cluster://127.0.0.1:p1,…` (REDIS_URL) and `127.0.0.1:p1,…` (REDIS_CLUSTER_NODES): every node. */
  url: string;
  seeds: string;
  /** Who serves what now, as the cluster itself says (CLUSTER NODES, asked of a live node). */
  topology(): Promise<ClusterNode[]>;
  /** The live master that serves `key`'s slot. */
  masterOf(key: string): Promise<ClusterNode>;
  /** Resolves once every slot is served by a reachable master and every live replica is in sync with its master. */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterNode {
  id: string;
  port: number;
  role: 'master' | 'replica';
  /** A replica's master (its node id). */
  masterId?: string;
  /** Marked failed by the cluster (`fail` flag). */
  failed: boolean;
  /** The slot ranges it serves, as `[first, last]`; empty for replicas. */
  slots: [number, number][];
  local: LocalRedis | undefined;
}

export interface LocalRedisClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
  /**
   * How long, in ms, a master may be unreachable before its replica takes over (`cluster-node-timeout`). Small in
   * tests, so that a failover takes a few seconds instead of Redis's default 15 s and more.
   */
  nodeTimeoutMs?: number;
  install?: boolean;
}

const run = promisify(execFile);

/** Parses CLUSTER NODES output. */
export function parseClusterNodesReply(text: string, locals: readonly LocalRedis[] = []): ClusterNode[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id = '', address = '', flags = '', master = '-', , , , , ...slotFields] = line.trim().split(' ');
      const port = Number(address.split('@')[0]?.split(':').at(-1));
      const flagList = flags.split(',');
      const slots = slotFields
        .filter((field) => !field.startsWith('['))
        .map((field): [number, number] => {
          const [first = '0', last = first] = field.split('-');
          return [Number(first), Number(last)];
        });
      return {
        id,
        port,
        role: flagList.includes('master') ? 'master' : 'replica',
        ...(master === '-' ? {} : { masterId: master }),
        failed: flagList.includes('fail'),
        slots,
        local: locals.find((node) => node.port === port),
      };
    });
}

function isRunning(node: LocalRedis): boolean {
  return node.process.exitCode === null && node.process.signalCode === null;
}

async function ask<T>(node: LocalRedis, command: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(node.port, '127.0.0.1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await command(client);
  } finally {
    client.disconnect();
  }
}

/** Starts one cluster-enabled redis-server, on a free port whose cluster bus port is free too. */
async function startNode(dir: string, nodeTimeoutMs: number, install: boolean): Promise<LocalRedis> {
  for (let attempt = 1; ; attempt++) {
    const [port, busPort] = [await findFreePort(), await findFreePort()];
    try {
      return await startLocalRedis({
        install,
        appendOnly: true,
        dir: mkdtempSync(join(dir, `node-${port}-`)),
        port,
        extraArgs: [
          '--cluster-enabled',
          'yes',
          '--cluster-port',
          String(busPort),
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          String(nodeTimeoutMs),
        ],
      });
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

export async function startLocalRedisCluster(options: LocalRedisClusterOptions = {}): Promise<LocalRedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 1;
  const install = options.install ?? false;
  const redisCli = join(dirname(findRedisServer(install)), 'redis-cli');
  const dir = mkdtempSync(join(tmpdir(), 'herald-cluster-'));
  const nodes = await Promise.all(
    Array.from({ length: masters * (1 + replicas) }, () => startNode(dir, options.nodeTimeoutMs ?? 2000, install)),
  );
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await run(redisCli, ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes']);
  } catch (error) {
    await stop();
    const output = (error as { stdout?: string; stderr?: string }).stderr ?? String(error);
    throw new Error(`redis-cli --cluster create failed: ${output.trim().slice(-500)}`);
  }

  const topology = async () => {
    const live = nodes.filter(isRunning);
    for (const node of live) {
      try {
        return parseClusterNodesReply(String(await ask(node, (client) => client.call('CLUSTER', 'NODES'))), nodes);
      } catch {
        // That node is going away; ask another.
      }
    }
    throw new Error('no node of the local cluster answers');
  };
  const cluster: LocalRedisCluster = {
    nodes,
    url: `redis+cluster://${nodes.map((node) => `127.0.0.1:${node.port}`).join(',')}`,
    seeds: nodes.map((node) => `127.0.0.1:${node.port}`).join(','),
    topology,
    async masterOf(key) {
      const asked = nodes.find(isRunning);
      if (asked === undefined) throw new Error('no node of the local cluster runs');
      const slot = Number(await ask(asked, (client) => client.call('CLUSTER', 'KEYSLOT', key)));
      const owner = (await topology()).find(
        (node) =>
          node.role === 'master' && !node.failed && node.slots.some(([first, last]) => slot >= first && slot <= last),
      );
      if (owner === undefined) throw new Error(`no live master serves slot ${slot}`);
      return owner;
    },
    async waitUntilHealthy(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (await isHealthy(nodes, await topology().catch(() => []))) return;
        if (Date.now() > deadline) throw new Error(`the local cluster is not healthy after ${timeoutMs} ms`);
        await sleep(100);
      }
    },
    stop,
  };
  try {
    await cluster.waitUntilHealthy();
  } catch (error) {
    await stop();
    throw error;
  }
  return cluster;
}

async function isHealthy(nodes: readonly LocalRedis[], topology: readonly ClusterNode[]): Promise<boolean> {
  const served = topology
    .filter((node) => node.role === 'master' && !node.failed && node.local !== undefined && isRunning(node.local))
    .flatMap((node) => node.slots)
    .reduce((sum, [first, last]) => sum + last - first + 1, 0);
  if (served !== 16384) return false;
  for (const node of nodes.filter(isRunning)) {
    const [info, replication] = await ask(node, (client) =>
      Promise.all([client.call('CLUSTER', 'INFO'), client.info('replication')]),
    ).catch(() => ['', '']);
    if (!String(info).includes('cluster_state:ok')) return false;
    if (String(replication).includes('role:slave') && !String(replication).includes('master_link_status:up')) {
      return false;
    }
  }
  return true;
}
