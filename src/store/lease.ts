import type { RedisClient } from '../redis/redis-connection.js';

import { RedisScript } from './redis-script.js';

const HOLD_LEASE = RedisScript.load('hold-lease');

/**
 * Takes the lease at `key` when it is free, or renews it when `holder` has it, for `ttlMs` from now, in one step
 * (hold-lease-1.lua). True when `holder` has it.
 */
export async function holdLease(client: RedisClient, key: string, holder: string, ttlMs: number): Promise<boolean> {
  return Number(await HOLD_LEASE.run(client, [key], [holder, ttlMs])) === 1;
}
