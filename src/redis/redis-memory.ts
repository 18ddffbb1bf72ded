import { Cluster } from 'ioredis';

import { HeraldError } from '../lib/herald-error.js';
import type { RedisClient } from './redis-connection.js';

/**
 * Whether Redis has room for herald's writes. BullMQ needs `maxmemory-policy noeviction`, so a Redis that reaches
 * `maxmemory` evicts nothing and refuses every command that could add data ("OOM command not allowed…") until
 * memory is freed or the limit raised; reads and deletes still work.
 */
export interface RedisMemory {
  /** The limit in bytes; 0 when none is set. */
  maxBytes: number;
  /** What Redis counts against the limit: used memory less the replication and AOF buffers it does not count. */
  usedBytes: number;
  policy: string;
  /** Over the limit: Redis refuses writes now. */
  full: boolean;
}

/** The fields of `INFO memory` that decide whether Redis refuses writes (as Redis itself decides it). */
export function parseMemoryInfo(info: string): RedisMemory {
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
  const number = (name: string) => Number(field(name) ?? 0) || 0;
  const maxBytes = number('maxmemory');
  const usedBytes = Math.max(0, number('used_memory') - number('mem_not_counted_for_evict'));
  return {
    maxBytes,
    usedBytes,
    policy: field('maxmemory_policy') ?? 'unknown',
    full: maxBytes > 0 && usedBytes > maxBytes,
  };
}

/**
 * The memory of the Redis behind `client`; on a Cluster, of the master nearest its limit (one full shard refuses
 * the writes of every campaign whose keys it holds).
 */
export async function readRedisMemory(client: RedisClient): Promise<RedisMemory> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  const all = await Promise.all(nodes.map(async (node) => parseMemoryInfo(await node.info('memory'))));
  const ratio = (memory: RedisMemory) => (memory.maxBytes === 0 ? 0 : memory.usedBytes / memory.maxBytes);
  return all.reduce((worst, memory) => (ratio(memory) > ratio(worst) ? memory : worst));
}

/** Redis's answer to a write it refused for want of memory, also inside a MULTI that Redis then discarded. */
export function isOutOfMemoryError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // Anywhere in the message: a script's error, or BullMQ's, may quote Redis's answer after its own words.
  if (/\bOOM command not allowed\b/.test(error.message)) return true;
  // ioredis keeps the errors that made Redis discard a transaction (EXECABORT) beside it.
  const previous = (error as { previousErrors?: unknown }).previousErrors;
  return Array.isArray(previous) && previous.some(isOutOfMemoryError);
}

/** Bytes as Redis's own `*_human` fields write them: 1.5 MB, 200 KB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** "maxmemory 1.0 MB, 1.2 MB used, policy noeviction", or less when the memory could not be read. */
export function describeMemory(memory: RedisMemory | undefined): string {
  if (memory === undefined) return 'maxmemory reached';
  const limit = memory.maxBytes === 0 ? 'no maxmemory set' : `maxmemory ${formatBytes(memory.maxBytes)}`;
  return `${limit}, ${formatBytes(memory.usedBytes)} used, policy ${memory.policy}`;
}

/** A command could not write: Redis is full. One line, with what the operator can do. */
export class RedisOutOfMemoryError extends HeraldError {
  override name = 'RedisOutOfMemoryError';

  constructor(memory: RedisMemory | undefined, consequence: string) {
    super(
      `Redis is out of memory (${describeMemory(memory)}): ${consequence}; free memory in Redis or raise its ` +
        'maxmemory, then run the command again',
    );
  }
}

/**
 * Runs a command's body; when Redis refuses one of its writes for want of memory, fails with RedisOutOfMemoryError
 * naming the limit (read on the same connection: Redis still answers INFO when full).
 */
export async function explainOutOfMemory<T>(
  client: RedisClient,
  body: () => Promise<T>,
  consequence = 'the command stopped before it was done',
): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (!isOutOfMemoryError(error)) throw error;
    const memory = await readRedisMemory(client).catch(() => undefined);
    throw new RedisOutOfMemoryError(memory, consequence);
  }
}
