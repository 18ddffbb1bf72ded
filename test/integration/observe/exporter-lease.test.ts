import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import { ExporterLease } from '../../../src/observe/exporter-lease.js';
import { makeKeys } from '../../../src/store/keys.js';
import { connectRedis } from '../../../src/redis/redis-connection.js';
import { deleteKeys, testRedisUrl, uniquePrefix } from '../../helpers/stack.js';
import { waitFor } from '../../helpers/wait-for.js';

describe('ExporterLease', () => {
  let connection: Redis;
  const prefix = uniquePrefix('lease');

  /** Resolves once the lease at `key` has expired (Redis then answers PTTL with -2). */
  const expired = (key: string, what: string) =>
    waitFor(async () => (await connection.pttl(key)) === -2, { what, detail: () => connection.pttl(key) });

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
  });
  afterAll(async () => {
    await deleteKeys(connection, prefix);
    await connection.quit();
  });

  it('is held by one process at a time, renewed by its holder, and passed on when it expires', async () => {
    const key = makeKeys(prefix).metricsExporter;
    const [a, b, c] = [0, 1, 2].map(() => new ExporterLease(connection, key, 300));
    expect(await a!.hold()).toBe(true);
    expect(await b!.hold()).toBe(false);
    expect(await a!.hold()).toBe(true); // renewing is not taking
    expect(await connection.pttl(key)).toBeGreaterThan(200);

    // a stops (or is killed): nobody exports until its lease has expired, then exactly one successor does.
    a!.stop();
    expect(await b!.hold()).toBe(false);
    await expired(key, "a's lease to expire");
    expect(await b!.hold()).toBe(true);
    expect(await c!.hold()).toBe(false);
    expect(await a!.hold()).toBe(false);
  });

  it('keeps the lease between scrapes once started, so that a live holder never lapses', async () => {
    const key = makeKeys(`${prefix}-bg`).metricsExporter;
    const holder = new ExporterLease(connection, key, 200);
    const other = new ExporterLease(connection, key, 200);
    holder.start();
    await waitFor(async () => (await connection.exists(key)) === 1, { what: 'the holder to take the lease' });
    for (let i = 0; i < 4; i++) {
      // Time passing is what is tested: 600 ms in all, three times the lease's life, and it is still held.
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await other.hold()).toBe(false);
    }
    holder.stop();
    await expired(key, 'the stopped holder’s lease to expire');
    expect(await other.hold()).toBe(true);
  });
});
