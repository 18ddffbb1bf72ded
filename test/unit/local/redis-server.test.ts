import { describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';

import { startLocalRedis } from '../../../src/local/redis-server.js';

describe('startLocalRedis', () => {
  it('starts a private redis-server that answers and stops it again', async () => {
    const local = await startLocalRedis();
    const client = new Redis(local.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    client.disconnect();
    await local.stop();
    expect(local.process.exitCode !== null || local.process.signalCode !== null).toBe(true);
  });
});
