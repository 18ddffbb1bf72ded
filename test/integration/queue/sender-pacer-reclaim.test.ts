import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import { claimFreshnessMs, DEFAULT_PACING } from '../../../src/domain/pacing.js';
import { type Keys, makeKeys } from '../../../src/queue/keys.js';
import { CLAIM_DISPATCH } from '../../../src/queue/pace-scripts.js';
import { connectRedis } from '../../../src/queue/redis-connection.js';
import { SenderPacer } from '../../../src/queue/sender-pacer.js';
import { deleteKeys, testRedisUrl, uniquePrefix } from '../../helpers/stack.js';

/** Keeps this process's event loop busy, so that a Redis answer that arrives meanwhile is read late. */
function blockEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('the dispatch guard, when its answer comes back late', () => {
  let connection: Redis;
  let keys: Keys;
  const guardArgs = (nonce: string, ...withdraw: string[]): (string | number)[] => [
    1,
    1,
    1 - DEFAULT_PACING.headroom / 2,
    nonce,
    ...withdraw,
  ];

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('pacer-reclaim'));
  });

  afterAll(async () => {
    await deleteKeys(connection, keys.prefix);
    await connection.quit();
  });

  async function logOf(sender: string): Promise<{ members: string[]; sent: number }> {
    const members = await connection.zrange(keys.senderDispatches(sender), 0, -1);
    const sent = Number(await connection.hget(keys.senderPace(sender), 'sent'));
    return { members, sent };
  }

  it('logs the send again at the moment it can leave, in place of the late claim', async () => {
    const sender = 'p14155550101';
    const pacer = new SenderPacer(connection, keys);
    // Loads the script, so that the claim below is one round trip, on the wire before the loop is blocked.
    await pacer.claimDispatch('p14155550100', 1, 1);
    const claimed = pacer.claimDispatch(sender, 1, 1);
    // The answer is in this process's socket buffer while it is busy: read well after Redis logged the send.
    blockEventLoop(claimFreshnessMs(DEFAULT_PACING.headroom) * 6);
    const unblockedAt = Date.now();
    await claimed;
    const { members, sent } = await logOf(sender);
    expect(members).toHaveLength(1);
    expect(sent).toBe(1);
    const loggedAt = Number(await connection.zscore(keys.senderDispatches(sender), members[0]!));
    // Redis's clock and this process's are the same machine's: the send is logged after the stall, not before it.
    expect(loggedAt).toBeGreaterThanOrEqual(unblockedAt - 1);
  });

  it('withdraws a member in the same step that judges the send again, keeping the window count', async () => {
    const sender = 'p14155550102';
    const run = (...args: (string | number)[]): Promise<unknown> =>
      CLAIM_DISPATCH.run(connection, [keys.senderDispatches(sender), keys.senderPace(sender)], args);
    const first = await run(...guardArgs('a'));
    expect(typeof first).toBe('string');
    // At 1 per second a second send would wait; in place of the first it may leave at once.
    expect(typeof (await run(...guardArgs('b')))).toBe('number');
    const again = await run(...guardArgs('a', first as string));
    expect(typeof again).toBe('string');
    expect(await logOf(sender)).toEqual({ members: [again], sent: 1 });
  });

  it('keeps the count right when the send it withdrew must then wait', async () => {
    const sender = 'p14155550103';
    const run = (...args: (string | number)[]): Promise<unknown> =>
      CLAIM_DISPATCH.run(connection, [keys.senderDispatches(sender), keys.senderPace(sender)], args);
    const other = (await run(...guardArgs('other'))) as string;
    // A member this caller logged earlier that another send has since been judged against; withdrawn, it frees
    // nothing for this send, which must wait for the other one's window.
    const at = Date.now();
    const mine = `${at}.000:1:mine`;
    await connection.zadd(keys.senderDispatches(sender), at, mine);
    await connection.hincrby(keys.senderPace(sender), 'sent', 1);
    const answer = await run(...guardArgs('mine', mine));
    expect(typeof answer).toBe('number');
    expect(await logOf(sender)).toEqual({ members: [other], sent: 1 });
  });
});
