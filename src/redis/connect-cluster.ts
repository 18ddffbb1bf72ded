import type { ConnectionOptions } from 'node:tls';

import { Cluster } from 'ioredis';

import { reportConnectionError, routeConnectionErrors } from './connection-errors.js';
import {
  commonClientOptions,
  reconnectDelayMs,
  type RedisOptions,
  RedisUnreachableError,
} from './redis-client-options.js';
import { type RedisTarget, describeRedisTarget } from '../config/redis-target.js';
import { explainProtocolMismatch, tcpError } from './redis-port-probe.js';

type ClusterTarget = Extract<RedisTarget, { kind: 'cluster' }>;

/**
 * Connects to a Redis Cluster and waits until it answers. At start-up a seed list that reaches no node, or nodes
 * that are not a cluster, fails at once with one line; once connected, the client rides out a failover: commands
 * that meet a dead master, CLUSTERDOWN or TRYAGAIN are retried on the new slot owner for about 20 s.
 */
export async function connectCluster(
  target: ClusterTarget,
  options: RedisOptions,
  tls: ConnectionOptions | undefined,
): Promise<Cluster> {
  let connected = false;
  const { enableOfflineQueue, enableAutoPipelining, ...perNode } = commonClientOptions(options, tls);
  const client = new Cluster(
    target.seeds.map((seed) => ({ host: seed.host, port: seed.port })),
    {
      lazyConnect: true,
      enableOfflineQueue,
      enableAutoPipelining,
      // Before the first connection, give up (connect() rejects); afterwards reconnect for ever, as BullMQ needs.
      clusterRetryStrategy: (times) => (connected ? reconnectDelayMs(times) : null),
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 300,
      retryDelayOnTryAgain: 200,
      // 16 redirections (ioredis's default) at 300 ms is less than a failover takes (node timeout + election).
      maxRedirections: 64,
      slotsRefreshTimeout: 2000,
      redisOptions: {
        ...perNode,
        ...(target.username === undefined ? {} : { username: target.username }),
        ...(target.password === undefined ? {} : { password: target.password }),
      },
    },
  );
  const description = describeRedisTarget(target);
  const nodeErrors = new Map<string, string>();
  client.on('node error', (error: Error, node: string) => nodeErrors.set(node, error.message));
  client.on('error', (error: Error) => {
    if (connected) reportConnectionError(client, error);
  });
  try {
    await client.connect();
    await client.ping();
    routeConnectionErrors(client, options.onError);
    connected = true;
    return client;
  } catch (error) {
    client.disconnect();
    // ioredis reports a seed it could not reach only as "Connection is closed."; a plain socket says why.
    const reasons = await Promise.all(
      [...nodeErrors].map(async ([node, message]) => {
        const seed = target.seeds.find((candidate) => `${candidate.host}:${candidate.port}` === node);
        const why =
          seed === undefined
            ? undefined
            : ((await explainProtocolMismatch(seed.host, seed.port, tls !== undefined)) ??
              (/Connection is closed/.test(message) ? await tcpError(seed.host, seed.port) : undefined));
        return `${node}: ${why ?? message}`;
      }),
    );
    const reason = reasons.length > 0 ? reasons.join('; ') : error instanceof Error ? error.message : String(error);
    throw new RedisUnreachableError(`cannot reach the Redis Cluster at ${description}: ${reason}`);
  }
}
