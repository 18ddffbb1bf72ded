import type { ConnectionOptions } from 'node:tls';

import { HeraldError } from '../lib/herald-error.js';

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

/** What herald's settings say about how to connect, beyond where (redis-target.ts). */
export interface RedisConnectSettings {
  redisUrl: string;
  clusterNodes?: string | undefined;
  /** How long replicated writes wait for the replicas (WAIT) on a Cluster or behind Sentinel; 0: they do not. */
  replicaWaitMs?: number;
  /** The sentinels' own credentials, when they require them (they are not the master's). */
  sentinelUsername?: string | undefined;
  sentinelPassword?: string | undefined;
  /** PEM files: a private CA to trust, and a client certificate and its key, for rediss:// connections. */
  tlsCaFile?: string | undefined;
  tlsCertFile?: string | undefined;
  tlsKeyFile?: string | undefined;
}

const MAX_RETRIES = { worker: null, command: 3, probe: 0 } as const;

/** The ioredis options every connection of a role shares, whatever it connects to. */
export function commonClientOptions(options: RedisOptions, tls: ConnectionOptions | undefined) {
  return {
    connectTimeout: options.connectTimeoutMs ?? 5000,
    maxRetriesPerRequest: MAX_RETRIES[options.role],
    enableOfflineQueue: options.role !== 'probe',
    enableAutoPipelining: options.autoPipelining ?? false,
    ...(tls === undefined ? {} : { tls }),
  };
}

/** How long to wait before the next reconnection: soon at first, then every 2 s. */
export function reconnectDelayMs(times: number): number {
  return Math.min(times * 200, 2000);
}
