import type { ConnectionOptions } from 'node:tls';

import { Cluster, Redis } from 'ioredis';

import { connectCluster } from './connect-cluster.js';
import { reportConnectionError, routeConnectionErrors } from './connection-errors.js';
import { connectSentinel } from './connect-sentinel.js';
import {
  commonClientOptions,
  reconnectDelayMs,
  type RedisConnectSettings,
  type RedisOptions,
  RedisUnreachableError,
} from './redis-client-options.js';
import { describeRedisTarget, redisTargetOf } from '../config/redis-target.js';
import { explainProtocolMismatch } from './redis-port-probe.js';
import { explainTlsError, readRedisTls } from './redis-tls.js';

export { RedisUnreachableError, type RedisConnectSettings, type RedisOptions } from './redis-client-options.js';

/**
 * A connection to one Redis, to the master Sentinel names, or to a Redis Cluster: herald's modules take either, so
 * that every multi-key command they send must stay inside one hash slot.
 */
export type RedisClient = Redis | Cluster;

/** A new connection with the same options, e.g. for a subscriber (the union's two `duplicate`s are not callable as one). */
export function duplicateClient(client: RedisClient): RedisClient {
  return client instanceof Cluster ? client.duplicate() : client.duplicate();
}

/** How long each connection's replicated writes wait for their replicas (see replicaWaitMsOf). */
const replicaWaits = new WeakMap<RedisClient, number>();
/** How many replicas the master behind a Sentinel connection had when last asked. */
const sentinelReplicas = new WeakMap<RedisClient, number>();
/** How often a Sentinel connection asks its master how many replicas it has (they come and go with failovers). */
const REPLICA_COUNT_REFRESH_MS = 10_000;

/**
 * How long, in ms, a replicated script's writes on this connection wait for the replicas to confirm them (`WAIT`),
 * so that a failover right after does not lose them; 0 when they do not wait (one Redis, or off).
 */
export function replicaWaitMsOf(client: RedisClient): number {
  return replicaWaits.get(client) ?? 0;
}

/**
 * How many replicas a replicated write on this (non-Cluster) connection waits for: one, when the master behind
 * Sentinel has any. Sentinel promotes the replica furthest along, which then holds every write one replica confirmed.
 */
export function replicasToWaitFor(client: Redis): number {
  return Math.min(1, sentinelReplicas.get(client) ?? 0);
}

/** The URL without its password, for messages. */
export function describeRedisUrl(url: string): string {
  return describeRedisTarget({ kind: 'single', url });
}

/** Connects and waits until Redis answers, so that a wrong URL fails at start-up with one readable line. */
export async function connectRedis(url: string, options: RedisOptions, tls?: ConnectionOptions): Promise<Redis> {
  const client = new Redis(url, {
    ...commonClientOptions(options, tls),
    lazyConnect: true,
    retryStrategy: reconnectDelayMs,
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
    const parsed = new URL(url);
    const mismatch = await explainProtocolMismatch(
      parsed.hostname.replace(/^\[|\]$/g, ''),
      Number(parsed.port || 6379),
      parsed.protocol === 'rediss:',
    );
    const message = (firstError ?? (error instanceof Error ? error : new Error(String(error)))).message;
    const reason = mismatch ?? (tls === undefined ? message : explainTlsError(message, tls));
    throw new RedisUnreachableError(`cannot reach Redis at ${describeRedisUrl(url)}: ${reason}`);
  }
}

/**
 * Connects to what herald's settings name (REDIS_URL, or REDIS_CLUSTER_NODES; TLS files, Sentinel credentials):
 * one Redis, a Redis Cluster through ioredis's Cluster client, or the master Redis Sentinel names. Every module,
 * BullMQ included, then uses the connection the same way; workers and CLI commands connect here alike.
 */
export async function connectConfiguredRedis(
  settings: RedisConnectSettings,
  options: RedisOptions,
): Promise<RedisClient> {
  const parsed = redisTargetOf(settings);
  // The settings were validated when they were loaded; this is for callers that build them by hand.
  if (!parsed.ok) throw new RedisUnreachableError(`REDIS_URL/REDIS_CLUSTER_NODES ${parsed.reason}`);
  const { target } = parsed;
  const tls = readRedisTls(settings, target.kind === 'single' ? target.url.startsWith('rediss:') : target.tls);
  if (target.kind === 'single') return connectRedis(target.url, options, tls);
  const client =
    target.kind === 'cluster'
      ? await connectCluster(target, options, tls)
      : await connectSentinel(target, settings, options, tls);
  const waitMs = settings.replicaWaitMs ?? 0;
  replicaWaits.set(client, waitMs);
  if (client instanceof Redis && waitMs > 0) await followReplicaCount(client);
  return client;
}

/** Keeps the count of the master's replicas (INFO replication) up to date, across failovers. */
async function followReplicaCount(client: Redis): Promise<void> {
  const count = async () => {
    const info = await client.info('replication').catch(() => '');
    sentinelReplicas.set(client, Number(/^connected_slaves:(\d+)/m.exec(info)?.[1] ?? 0));
  };
  await count();
  client.on('ready', () => void count());
  const timer = setInterval(() => void count(), REPLICA_COUNT_REFRESH_MS).unref();
  client.once('end', () => clearInterval(timer));
}
