import { Cluster, Redis } from 'ioredis';
import { HeraldError } from '../lib/herald-error.js';

/**
 * A connection to one Redis or to a Redis Cluster: herald's modules take either, so that every multi-key command
 * they send must stay inside one hash slot.
 */
export type RedisClient = Redis | Cluster;

/** A new connection with the same options, e.g. for a subscriber (the union's two `duplicate`s are not callable as one). */
export function duplicateClient(client: RedisClient): RedisClient {
  return client instanceof Cluster ? client.duplicate() : client.duplicate();
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
  connectTimeoutMs?: number;
  /**
   * Connection errors after start-up (ioredis reconnects by itself). Without a listener ioredis prints each one
   * as an "Unhandled error event" with a stack trace.
   */
  onError?: (error: Error) => void;
}

/** The URL without its password, for messages. */
export function describeRedisUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.hostname}:${parsed.port || '6379'}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}

/** Connects and waits until Redis answers, so that a wrong URL fails at start-up with one readable line. */
export async function connectRedis(url: string, options: RedisOptions): Promise<Redis> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    maxRetriesPerRequest: { worker: null, command: 3, probe: 0 }[options.role],
    enableOfflineQueue: options.role !== 'probe',
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  // connect() rejects with "Connection is closed." when the socket fails; the error event says why.
  let firstError: Error | undefined;
  client.on('error', (error: Error) => {
    firstError ??= error;
    if (client.status === 'ready' || client.status === 'reconnecting') options.onError?.(error);
  });
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch (error) {
    client.disconnect();
    const reason = (firstError ?? (error instanceof Error ? error : new Error(String(error)))).message;
    throw new RedisUnreachableError(`cannot reach Redis at ${describeRedisUrl(url)}: ${reason}`);
  }
}
