import { createConnection } from 'node:net';

import { Cluster, Redis } from 'ioredis';
import { HeraldError } from '../lib/herald-error.js';
import { reportConnectionError, routeConnectionErrors } from './connection-errors.js';
import { type RedisTarget, describeRedisTarget, redisTargetOf } from './redis-target.js';

type ClusterTarget = Extract<RedisTarget, { kind: 'cluster' }>;

/**
 * A connection to one Redis or to a Redis Cluster: herald's modules take either, so that every multi-key command
 * they send must stay inside one hash slot.
 */
export type RedisClient = Redis | Cluster;

/** A new connection with the same options, e.g. for a subscriber (the union's two `duplicate`s are not callable as one). */
export function duplicateClient(client: RedisClient): RedisClient {
  return client instanceof Cluster ? client.duplicate() : client.duplicate();
}

/** How long each cluster connection's replicated writes wait for their replica (see replicaWaitMsOf). */
const replicaWaits = new WeakMap<RedisClient, number>();

/**
 * How long, in ms, a replicated script's writes on this connection wait for the replicas of their shard to confirm
 * them (`WAIT`), so that a failover right after does not lose them; 0 when they do not wait (one Redis, or off).
 */
export function replicaWaitMsOf(client: RedisClient): number {
  return replicaWaits.get(client) ?? 0;
}

/** Thrown when Redis cannot be reached at start-up; its message is one line without credentials. */
export class RedisUnreachableError extends HeraldError {
  override name = 'RedisUnreachableError';
}

export interface RedisOptions {
  /**
   * Blocking clients (BullMQ workers) must wait for Redis forever (`maxRetriesPerRequest: null`, which BullMQ
   * requires); clients of short-lived commands fail a request after a few reconnection attempts; probes (health
   * checks, scrapes) fail at once while Redis is unreachable.
   */
  role: 'worker' | 'command' | 'probe';
  /**
   * ioredis's auto-pipelining: the commands issued in one turn of the event loop go out as one pipeline, one write
   * (per Cluster node), and Redis reads and answers them together. For a connection shared by many concurrent jobs
   * (the worker's send path); BullMQ's own connections keep the default, off.
   */
  autoPipelining?: boolean;
  connectTimeoutMs?: number;
  /**
   * Connection errors after start-up (ioredis reconnects by itself), a failed login included, and those of every
   * BullMQ object built on the connection (see connection-errors.ts); each error once. Absent, they are dropped.
   */
  onError?: (error: Error) => void;
}

/** The URL without its password, for messages. */
export function describeRedisUrl(url: string): string {
  return describeRedisTarget({ kind: 'single', url });
}

const MAX_RETRIES = { worker: null, command: 3, probe: 0 } as const;

/** Connects and waits until Redis answers, so that a wrong URL fails at start-up with one readable line. */
export async function connectRedis(url: string, options: RedisOptions): Promise<Redis> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    maxRetriesPerRequest: MAX_RETRIES[options.role],
    enableOfflineQueue: options.role !== 'probe',
    enableAutoPipelining: options.autoPipelining ?? false,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  // connect() rejects with "Connection is closed." when the socket fails; the error event says why.
  let firstError: Error | undefined;
  let connected = false;
  client.on('error', (error: Error) => {
    firstError ??= error;
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
    const reason = (firstError ?? (error instanceof Error ? error : new Error(String(error)))).message;
    throw new RedisUnreachableError(`cannot reach Redis at ${describeRedisUrl(url)}: ${reason}`);
  }
}

/**
 * Connects to what herald's settings name (REDIS_URL, or REDIS_CLUSTER_NODES): one Redis, or a Redis Cluster
 * through ioredis's Cluster client, which every module, BullMQ included, then uses in place of a plain client.
 */
export async function connectConfiguredRedis(
  settings: { redisUrl: string; clusterNodes?: string | undefined; replicaWaitMs?: number },
  options: RedisOptions,
): Promise<RedisClient> {
  const parsed = redisTargetOf(settings);
  // The settings were validated when they were loaded; this is for callers that build them by hand.
  if (!parsed.ok) throw new RedisUnreachableError(`REDIS_URL/REDIS_CLUSTER_NODES ${parsed.reason}`);
  const { target } = parsed;
  if (target.kind === 'single') return connectRedis(target.url, options);
  const client = await connectCluster(target, options);
  replicaWaits.set(client, settings.replicaWaitMs ?? 0);
  return client;
}

/**
 * Connects to a Redis Cluster and waits until it answers. At start-up a seed list that reaches no node, or nodes
 * that are not a cluster, fails at once with one line; once connected, the client rides out a failover: commands
 * that meet a dead master, CLUSTERDOWN or TRYAGAIN are retried on the new slot owner for about 20 s.
 */
export async function connectCluster(target: ClusterTarget, options: RedisOptions): Promise<Cluster> {
  let connected = false;
  const client = new Cluster(
    target.seeds.map((seed) => ({ host: seed.host, port: seed.port })),
    {
      lazyConnect: true,
      enableOfflineQueue: options.role !== 'probe',
      enableAutoPipelining: options.autoPipelining ?? false,
      // Before the first connection, give up (connect() rejects); afterwards reconnect for ever, as BullMQ needs.
      clusterRetryStrategy: (times) => (connected ? Math.min(times * 200, 2000) : null),
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 300,
      retryDelayOnTryAgain: 200,
      // 16 redirections (ioredis's default) at 300 ms is less than a failover takes (node timeout + election).
      maxRedirections: 64,
      slotsRefreshTimeout: 2000,
      redisOptions: {
        connectTimeout: options.connectTimeoutMs ?? 5000,
        maxRetriesPerRequest: MAX_RETRIES[options.role],
        ...(target.tls ? { tls: {} } : {}),
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
        const socketError =
          /Connection is closed/.test(message) && seed !== undefined ? await tcpError(seed) : undefined;
        return `${node}: ${socketError ?? message}`;
      }),
    );
    const reason = reasons.length > 0 ? reasons.join('; ') : error instanceof Error ? error.message : String(error);
    throw new RedisUnreachableError(`cannot reach the Redis Cluster at ${description}: ${reason}`);
  }
}

/** Why a TCP connection to `seed` fails (e.g. "connect ECONNREFUSED 127.0.0.1:7000"), or undefined if it opens. */
function tcpError(seed: { host: string; port: number }, timeoutMs = 2000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: seed.host, port: seed.port, timeout: timeoutMs });
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.once('connect', () => done(undefined));
    socket.once('timeout', () => done(`no answer within ${timeoutMs} ms`));
    socket.once('error', (error) => done(error.message));
  });
}
