import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import { type Keys, makeKeys } from '../../../src/store/keys.js';
import { connectRedis } from '../../../src/queue/redis-connection.js';
import { SenderPacer } from '../../../src/queue/sender-pacer.js';
import { passGate } from '../../../src/send/dispatch-gate.js';
import { deleteKeys, testRedisUrl, uniquePrefix } from '../../helpers/stack.js';

describe('SenderPacer after a quiet spell', () => {
  let connection: Redis;
  let keys: Keys;

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('pacer-idle'));
  });

  afterAll(async () => {
    await deleteKeys(connection, keys.prefix);
    await connection.quit();
  });

  it('lets a send leave once the dispatch log has expired, though the last window was full', async () => {
    const pacer = new SenderPacer(connection, keys);
    await pacer.setRate('p14155550100', 2);
    await passGate(pacer.dispatchGuard('p14155550100', 1, 2));
    await passGate(pacer.dispatchGuard('p14155550100', 1, 2));
    // The log expires a second after its window; the count of what is in it must not outlive it.
    await new Promise((resolve) => setTimeout(resolve, 2600));
    expect(await connection.exists(keys.senderDispatches('p14155550100'))).toBe(0);
    const started = Date.now();
    await passGate(pacer.dispatchGuard('p14155550100', 1, 2));
    expect(Date.now() - started).toBeLessThan(500);
  });
});
