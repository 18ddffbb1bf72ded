import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import { type Keys, makeKeys } from '../../../src/store/keys.js';
import { connectRedis } from '../../../src/queue/redis-connection.js';
import { SenderHolds } from '../../../src/queue/sender-holds.js';
import { SenderPacer } from '../../../src/queue/sender-pacer.js';
import { deleteKeys, testRedisUrl, uniquePrefix } from '../../helpers/stack.js';

describe('holds read on the send path', () => {
  let connection: Redis;
  let keys: Keys;

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('pacer-holds'));
  });

  afterAll(async () => {
    await deleteKeys(connection, keys.prefix);
    await connection.quit();
  });

  it('a held sender’s reserve answers with the hold and reserves nothing; once lifted it gets its slot', async () => {
    const pacer = new SenderPacer(connection, keys);
    const holds = new SenderHolds(connection, keys);
    const id = 'p14155550110';
    await holds.halt('sender', id, '21212', 'invalid From');
    expect(await pacer.reserve(id, 1, 10)).toEqual({
      kind: 'held',
      hold: { state: 'halted', scope: 'sender', code: '21212', reason: 'invalid From', since: expect.any(Number) },
    });
    expect(await connection.hget(keys.senderPace(id), 'tat')).toBeNull();

    await holds.resume('sender', id);
    const until = Date.now() + 60_000;
    await holds.pause(id, until, '63038', 'daily cap');
    expect(await pacer.reserve(id, 1, 10)).toMatchObject({ kind: 'held', hold: { state: 'paused', until } });
    expect(await connection.hget(keys.senderPace(id), 'tat')).toBeNull();

    await holds.resume('sender', id);
    expect(await pacer.reserve(id, 1, 10)).toEqual({ kind: 'slot', waitedMs: expect.any(Number) });
    expect(await connection.hget(keys.senderPace(id), 'tat')).not.toBeNull();
  });

  it('a pause that has run out is no hold to the reserve', async () => {
    const pacer = new SenderPacer(connection, keys);
    const id = 'p14155550111';
    await new SenderHolds(connection, keys).pause(id, Date.now() - 1, '63038', 'daily cap', Date.now() - 60_000);
    expect(await pacer.reserve(id, 1, 10)).toMatchObject({ kind: 'slot' });
  });

  it('the account’s hold is trusted clear for the cache time, but a hold found is never cached', async () => {
    const worker = new SenderHolds(connection, keys, 60_000);
    const operator = new SenderHolds(connection, keys);
    expect(await Promise.all([worker.accountHoldOf(), worker.accountHoldOf()])).toEqual([undefined, undefined]);
    await operator.halt('account', '', '20003', 'bad credentials');
    // Seen clear a moment ago: trusted, as a worker's cache of a running sender is (a send meeting 20003 is held).
    expect(await worker.accountHoldOf()).toBeUndefined();

    const fresh = new SenderHolds(connection, keys, 60_000);
    expect(await fresh.accountHoldOf()).toMatchObject({ state: 'halted', scope: 'account', code: '20003' });
    await operator.resume('account');
    expect(await fresh.accountHoldOf()).toBeUndefined();
  });
});
