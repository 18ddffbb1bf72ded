import type { Redis } from 'ioredis';

/**
 * How many jobs wait in BullMQ's delayed sets under `prefix`, over every queue: a job a worker took and put back to
 * wait (a hold, a sending window, a lookup to repeat) is there, and no worker takes it again before it is due. Read
 * by key pattern, so that it does not depend on how queues are named.
 */
export async function countDelayedJobs(connection: Redis, prefix: string): Promise<number> {
  let total = 0;
  let cursor = '0';
  do {
    const [next, keys] = await connection.scan(cursor, 'MATCH', `${prefix}:*:delayed`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) total += await connection.zcard(key);
  } while (cursor !== '0');
  return total;
}
