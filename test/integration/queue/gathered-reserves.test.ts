import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import { DEFAULT_PACING } from '../../../src/domain/pacing.js';
import { type Keys, makeKeys } from '../../../src/store/keys.js';
import { RESERVE_SLOT } from '../../../src/queue/pace-scripts.js';
import { connectRedis } from '../../../src/queue/redis-connection.js';
import { SenderHolds } from '../../../src/queue/sender-holds.js';
import { SenderPacer } from '../../../src/queue/sender-pacer.js';
import { deleteKeys, testRedisUrl, uniquePrefix } from '../../helpers/stack.js';

const MPS = 100;
const COSTS = [1, 2, 1, 3, 1, 1];

describe('reserves gathered per sender and turn', () => {
  let connection: Redis;
  let other: Redis;
  let keys: Keys;

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    other = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('gathered-reserves'));
  });

  afterAll(async () => {
    await deleteKeys(connection, keys.prefix);
    await Promise.all([connection.quit(), other.quit()]);
  });

  /** A sender whose next free slot is 400 ms ahead (within the horizon), so the slots do not depend on when asked. */
  async function backlogged(senderId: string): Promise<number> {
    const [seconds = '0', micros = '0'] = await connection.time();
    const tat = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) + 400;
    await connection.hset(keys.senderPace(senderId), 'tat', tat);
    return tat;
  }

  function reserveArgs(asks: readonly number[]): number[] {
    return [1 - DEFAULT_PACING.headroom, DEFAULT_PACING.horizonMs, Date.now(), ...asks.flatMap((cost) => [cost, MPS])];
  }

  function runScript(senderId: string, costs: readonly number[]): Promise<number[]> {
    const scriptKeys = [keys.senderPace(senderId), keys.senderHold(senderId)];
    return RESERVE_SLOT.run(connection, scriptKeys, reserveArgs(costs)) as Promise<number[]>;
  }

  it('one call reserves the slots that as many calls in a row would, in order', async () => {
    const single = 'p14155550120';
    const gathered = 'p14155550121';
    await backlogged(single);
    await backlogged(gathered);
    await connection.hset(keys.senderPace(gathered), 'tat', (await connection.hget(keys.senderPace(single), 'tat'))!);

    // Where each single call's slot lies: the sender's next free time just before the call.
    const singleSlots: number[] = [];
    for (const cost of COSTS) {
      singleSlots.push(Number(await connection.hget(keys.senderPace(single), 'tat')));
      const [code] = await runScript(single, [cost]);
      expect(code).toBe(1);
    }
    const answers = await runScript(gathered, COSTS);

    expect(answers).toHaveLength(2 * COSTS.length);
    expect(answers.filter((_, index) => index % 2 === 0)).toEqual(COSTS.map(() => 1));
    const waits = answers.filter((_, index) => index % 2 === 1);
    // The waits are from one instant, so they are the slots themselves, less that instant (to the ms above).
    COSTS.forEach((_, index) => {
      const spacing = (waits[index] ?? NaN) - (waits[0] ?? NaN);
      expect(Math.abs(spacing - ((singleSlots[index] ?? NaN) - (singleSlots[0] ?? NaN)))).toBeLessThanOrEqual(1);
    });
    // And the sender's schedule ends exactly where the single calls left it.
    expect(await connection.hget(keys.senderPace(gathered), 'tat')).toBe(
      await connection.hget(keys.senderPace(single), 'tat'),
    );
  });

  it('two processes asking in the same turn each make one call, and together take the same slots in two runs', async () => {
    const single = 'p14155550122';
    const gathered = 'p14155550123';
    const start = await backlogged(single);
    await connection.hset(keys.senderPace(gathered), 'tat', start);
    for (const cost of [...COSTS, ...COSTS]) await runScript(single, [cost]);

    const monitor = await connection.monitor();
    const calls: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      // MONITOR also shows the commands a script runs: only the calls count.
      if (/^eval/i.test(args[0] ?? '') && args.includes(keys.senderPace(gathered))) calls.push(args);
    });
    const pacers = [new SenderPacer(connection, keys), new SenderPacer(other, keys)];
    const done: string[] = [];
    // Interleaved: each process's sends are asked for in the same turn as the other's.
    const sends = COSTS.flatMap((cost, index) =>
      pacers.map(async (pacer, process) => {
        const reserved = await pacer.reserve(gathered, cost, MPS);
        expect(reserved.kind).toBe('slot');
        done.push(`${process}:${index}`);
      }),
    );
    await Promise.all(sends);
    await monitor.disconnect();

    expect(calls).toHaveLength(2);
    // Each process's sends got their slots in the order they asked, one run after the other's.
    const inOrder = (process: number) => COSTS.map((_, index) => `${process}:${index}`);
    expect([
      [...inOrder(0), ...inOrder(1)],
      [...inOrder(1), ...inOrder(0)],
    ]).toContainEqual(done);
    expect(await connection.hget(keys.senderPace(gathered), 'tat')).toBe(
      await connection.hget(keys.senderPace(single), 'tat'),
    );
  });

  it('a held sender answers every gathered send with its hold and reserves nothing', async () => {
    const id = 'p14155550124';
    await new SenderHolds(connection, keys).halt('sender', id, '21212', 'invalid From');
    const pacer = new SenderPacer(connection, keys);
    const answers = await Promise.all(COSTS.map((cost) => pacer.reserve(id, cost, MPS)));
    expect(answers).toEqual(COSTS.map(() => expect.objectContaining({ kind: 'held' })));
    expect(await connection.hget(keys.senderPace(id), 'tat')).toBeNull();
  });

  it('sends whose slots lie beyond the horizon reserve nothing and ask again', async () => {
    const id = 'p14155550125';
    const [seconds = '0'] = await connection.time();
    const tat = Number(seconds) * 1000 + 10 * DEFAULT_PACING.horizonMs;
    await connection.hset(keys.senderPace(id), 'tat', tat);
    const answers = await runScript(id, [1, 1]);
    expect(answers[0]).toBe(0);
    expect(answers[1]).toBeGreaterThan(8 * DEFAULT_PACING.horizonMs);
    expect(answers[2]).toBe(0);
    expect(answers[3]).toBe(answers[1]);
    expect(Number(await connection.hget(keys.senderPace(id), 'tat'))).toBe(tat);
  });
});
