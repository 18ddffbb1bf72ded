import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import { claimFreshnessMs, DEFAULT_PACING } from '../../../src/domain/pacing.js';
import { type Keys, makeKeys } from '../../../src/store/keys.js';
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

/** Lets the claims asked for in this turn go out (they are gathered until the turn's end) and this turn end. */
const claimsSent = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

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
   * Claims in one call for sends of 1 segment at 1 per second (unless the sender's hash sets a rate), with the default
   * headroom and the given start margin and length: for each, its logged member and whether the window is now tight
   * when it may leave, else ms to wait.
   */
  async function claimAll(
    sender: string,
    sends: readonly { nonce: string; withdraw?: string }[],
    start = { marginMs: 0, durationMs: 0 },
  ): Promise<([string, number] | number)[]> {
    const args: (string | number)[] = [1 - DEFAULT_PACING.headroom / 2, start.marginMs, start.durationMs];
    for (const { nonce, withdraw } of sends) args.push(1, 1, nonce, withdraw ?? '');
    const keysOf = [keys.senderDispatches(sender), keys.senderPace(sender)];
    return (await CLAIM_DISPATCH.run(connection, keysOf, args)) as ([string, number] | number)[];
  }

  /** One claim (see claimAll): the logged member when the send may leave, else ms to wait. */
  async function claim(
    sender: string,
    nonce: string,
    start = { marginMs: 0, durationMs: 0 },
    withdraw?: string,
  ): Promise<string | number> {
    const [answer] = await claimAll(sender, [withdraw === undefined ? { nonce } : { nonce, withdraw }], start);
    return Array.isArray(answer) ? answer[0] : Number(answer);
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
      await claimsSent();
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
      await claimsSent();
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

  describe('gathered per sender and turn', () => {
    const nonces = ['a', 'b', 'c', 'd', 'e'];
    /** The log's members without their time, and the sent count: what k claims in a row or in one call must agree on. */
    const shapeOf = async (sender: string) => {
      const { members, sent } = await logOf(sender);
      return { members: members.map((member) => member.replace(/^[^:]+:/, '')), sent };
    };

    it('one call logs and answers each send as the same claims in a row would', async () => {
      const single = 'p14155550107';
      const gathered = 'p14155550108';
      for (const sender of [single, gathered]) await connection.hset(keys.senderPace(sender), 'mps', 3);
      const one = [];
      for (const nonce of nonces) one.push(await claimAll(single, [{ nonce }]));
      const all = await claimAll(
        gathered,
        nonces.map((nonce) => ({ nonce })),
      );

      // 3 per second: the first three leave, the third filling the window (tight), the others wait for the first.
      const shape = (answers: ([string, number] | number)[]) =>
        answers.map((answer) => (Array.isArray(answer) ? ['leave', answer[1]] : 'wait'));
      expect(shape(all)).toEqual([['leave', 0], ['leave', 0], ['leave', 1], 'wait', 'wait']);
      expect(shape(one.flat())).toEqual(shape(all));
      expect(await shapeOf(gathered)).toEqual(await shapeOf(single));
      expect(await shapeOf(gathered)).toEqual({ members: ['1:a', '1:b', '1:c'], sent: 3 });
      // Each member its own, all claimed at the same instant by the one call.
      const members = all.flatMap((answer) => (Array.isArray(answer) ? [answer[0]] : []));
      expect(new Set(members.map(claimedAt)).size).toBe(1);
    });

    it('withdraws and claims again within a call, each send in its turn', async () => {
      const sender = 'p14155550109';
      await connection.hset(keys.senderPace(sender), 'mps', 2);
      const [first, second] = (await claimAll(sender, [{ nonce: 'a' }, { nonce: 'b' }])) as [string, number][];
      // b's claim came back too late: it withdraws and claims again; c, asked after it in the same call, must wait.
      const answers = await claimAll(sender, [{ nonce: 'b', withdraw: second![0] }, { nonce: 'c' }]);
      expect(Array.isArray(answers[0])).toBe(true);
      expect(typeof answers[1]).toBe('number');
      expect(await shapeOf(sender)).toEqual({ members: ['1:a', '1:b'], sent: 2 });
      expect((await logOf(sender)).members).toContain(first![0]);
    });

    it('two processes passing their guards in the same turn make one call each and never exceed the limit', async () => {
      const sender = 'p14155550110';
      const other = await connectRedis(testRedisUrl(), { role: 'command' });
      const monitor = await connection.monitor();
      try {
        const calls: string[][] = [];
        monitor.on('monitor', (_time: string, args: string[]) => {
          if (/^eval/i.test(args[0] ?? '') && args.includes(keys.senderDispatches(sender))) calls.push(args);
        });
        const pacers = [new SenderPacer(connection, keys), new SenderPacer(other, keys)];
        await pacers[0]!.setRate(sender, 4);
        const left: number[] = [];
        const guards = nonces.flatMap(() => pacers.map((pacer) => pacer.dispatchGuard(sender, 1, 4)));
        // Ten sends at 4 per second: four leave at once, in the two calls; the others wait for the window.
        await Promise.all(
          guards.map(async (guard) => {
            await passGate(guard);
            left.push(Date.now());
          }),
        );
        expect(calls.length).toBeGreaterThanOrEqual(2);
        // EVALSHA, its SHA, 2 keys, 3 arguments for the call, then 4 per send.
        const sendsOf = (call: string[]) => (call.length - 2 - 1 - 2 - 3) / 4;
        expect(calls.slice(0, 2).map(sendsOf)).toEqual([5, 5]);
        const inFirstWindow = left.filter((at) => at - left[0]! < 1000);
        expect(inFirstWindow).toHaveLength(4);
        const { members } = await logOf(sender);
        expect(new Set(members).size).toBe(members.length);
      } finally {
        await monitor.disconnect();
        await other.quit();
      }
    });
  });
});
