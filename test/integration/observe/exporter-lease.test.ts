import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import { ExporterLease } from '../../../src/observe/exporter-lease.js';
import { makeKeys } from '../../../src/store/keys.js';
import { connectRedis } from '../../../src/queue/redis-connection.js';
import { deleteKeys, testRedisUrl, uniquePrefix } from '../../helpers/stack.js';

describe('ExporterLease', () => {
  let connection: Redis;
  const prefix = uniquePrefix('lease');

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
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await b!.hold()).toBe(true);
    expect(await c!.hold()).toBe(false);
    expect(await a!.hold()).toBe(false);
  });

  it('keeps the lease between scrapes once started, so that a live holder never lapses', async () => {
    const key = makeKeys(`${prefix}-bg`).metricsExporter;
    const holder = new ExporterLease(connection, key, 200);
    const other = new ExporterLease(connection, key, 200);
    holder.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await other.hold()).toBe(false);
    }
    holder.stop();
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await other.hold()).toBe(true);
  });
});
