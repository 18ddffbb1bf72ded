import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import { claimFreshnessMs, DEFAULT_PACING } from '../../../src/domain/pacing.js';
import { type Keys, makeKeys } from '../../../src/queue/keys.js';
import { CLAIM_DISPATCH } from '../../../src/queue/pace-scripts.js';
import { connectRedis } from '../../../src/queue/redis-connection.js';
import { SenderPacer } from '../../../src/queue/sender-pacer.js';
import { passGate } from '../../../src/send/dispatch-gate.js';
import { deleteKeys, testRedisUrl, uniquePrefix } from '../../helpers/stack.js';

/** Keeps this process's event loop busy, so that a Redis answer that arrives meanwhile is read late. */
function blockEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** When a logged member says its claim ran (its first field), in ms. */
const claimedAt = (member: string): number => Number.parseFloat(member);

describe('the dispatch guard (CLAIM_DISPATCH)', () => {
  let connection: Redis;
  let keys: Keys;

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('dispatch-guard'));
  });

  afterAll(async () => {
    await deleteKeys(connection, keys.prefix);
    await connection.quit();
  });

  /**
   * One claim at 1 segment per second (unless the sender's hash sets a rate), with the default headroom and the given
   * start margin and length: the logged member when the send may leave, else ms to wait.
   */
  async function claim(
    sender: string,
    nonce: string,
    start = { marginMs: 0, durationMs: 0 },
    withdraw?: string,
  ): Promise<string | number> {
    const args = [1, 1, 1 - DEFAULT_PACING.headroom / 2, nonce, start.marginMs, start.durationMs];
    const keysOf = [keys.senderDispatches(sender), keys.senderPace(sender)];
    const answer = await CLAIM_DISPATCH.run(connection, keysOf, withdraw === undefined ? args : [...args, withdraw]);
    return Array.isArray(answer) ? (answer[0] as string) : Number(answer);
  }

  async function logOf(sender: string): Promise<{ members: string[]; sent: number }> {
    const members = await connection.zrange(keys.senderDispatches(sender), '0', '-1');
    const sent = Number(await connection.hget(keys.senderPace(sender), 'sent'));
    return { members, sent };
  }

  describe('when its answer comes back late', () => {
    it('logs the send again at the moment it can leave, in place of the late claim', async () => {
      const sender = 'p14155550101';
      const pacer = new SenderPacer(connection, keys);
      // Loads the script, so that the claim below is one round trip, on the wire before the loop is blocked.
      await passGate(pacer.dispatchGuard('p14155550100', 1, 1));
      const claimed = passGate(pacer.dispatchGuard(sender, 1, 1));
      // The answer is in this process's socket buffer while it is busy: read well after Redis logged the send.
      blockEventLoop(claimFreshnessMs(DEFAULT_PACING.headroom) * 6);
      const unblockedAt = Date.now();
      await claimed;
      const { members, sent } = await logOf(sender);
      expect(members).toHaveLength(1);
      expect(sent).toBe(1);
      // Redis's clock and this process's are the same machine's: the claim that counts ran after the stall.
      expect(claimedAt(members[0]!)).toBeGreaterThanOrEqual(unblockedAt - 1);
    });

    it('is taken as it is on a sender far below its limit, where it cannot bunch sends up', async () => {
      const sender = 'p14155550106';
      const pacer = new SenderPacer(connection, keys);
      await pacer.setRate(sender, 1000);
      await passGate(pacer.dispatchGuard(sender, 1, 1000));
      const claimed = passGate(pacer.dispatchGuard(sender, 1, 1000));
      blockEventLoop(claimFreshnessMs(DEFAULT_PACING.headroom) * 6);
      const unblockedAt = Date.now();
      await claimed;
      const { members } = await logOf(sender);
      expect(members).toHaveLength(2);
      expect(claimedAt(members[1]!)).toBeLessThan(unblockedAt - 1);
    });

    it('withdraws a member in the same step that judges the send again, keeping the window count', async () => {
      const sender = 'p14155550102';
      const first = await claim(sender, 'a');
      expect(typeof first).toBe('string');
      // At 1 per second a second send would wait; in place of the first it may leave at once.
      expect(typeof (await claim(sender, 'b'))).toBe('number');
      const again = await claim(sender, 'a', undefined, first as string);
      expect(typeof again).toBe('string');
      expect(await logOf(sender)).toEqual({ members: [again], sent: 1 });
    });

    it('keeps the count right when the send it withdrew must then wait', async () => {
      const sender = 'p14155550103';
      const other = (await claim(sender, 'other')) as string;
      // A member this caller logged earlier; withdrawn, it frees nothing for this send, which must wait for the
      // other one's window.
      const at = Date.now();
      const mine = `${at}.000:1:mine`;
      await connection.zadd(keys.senderDispatches(sender), at, mine);
      await connection.hincrby(keys.senderPace(sender), 'sent', 1);
      expect(typeof (await claim(sender, 'mine', undefined, mine))).toBe('number');
      expect(await logOf(sender)).toEqual({ members: [other], sent: 1 });
    });
  });

  describe("in a sender's first seconds", () => {
    const start = { marginMs: 60, durationMs: 400 };

    it('counts the sends as leaving the start margin later, so the next window keeps that distance', async () => {
      const sender = 'p14155550104';
      const first = (await claim(sender, 'first', start)) as string;
      const score = Number(await connection.zscore(keys.senderDispatches(sender), first));
      expect(score - claimedAt(first)).toBeCloseTo(start.marginMs, 0);
      // At 1 per second the next send waits for the window (1020 ms) and the margin, from the first.
      const wait = Number(await claim(sender, 'second', start));
      const window = 1000 / (1 - DEFAULT_PACING.headroom / 2);
      expect(wait).toBeGreaterThan(window + start.marginMs - 50);
      expect(wait).toBeLessThanOrEqual(Math.ceil(window + start.marginMs));
    });

    it('stops counting the margin once the start is over, and counts it again after a quiet spell', async () => {
      const sender = 'p14155550105';
      await connection.hset(keys.senderPace(sender), 'mps', 1000);
      const scoreOf = async (nonce: string): Promise<number> => {
        const member = (await claim(sender, nonce, start)) as string;
        return Number(await connection.zscore(keys.senderDispatches(sender), member)) - claimedAt(member);
      };
      expect(await scoreOf('a')).toBeCloseTo(start.marginMs, 0);
      await new Promise((resolve) => setTimeout(resolve, start.durationMs + 100));
      expect(await scoreOf('b')).toBeCloseTo(0, 0);
      // The log lives a second past its window after the last send; once it is gone the sender starts again.
      await new Promise((resolve) => setTimeout(resolve, 2200));
      expect(await connection.exists(keys.senderDispatches(sender))).toBe(0);
      expect(await scoreOf('c')).toBeCloseTo(start.marginMs, 0);
    });
  });
});
