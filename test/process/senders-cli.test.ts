import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import { makeKeys } from '../../src/store/keys.js';
import { connectRedis } from '../../src/queue/redis-connection.js';
import { SenderHolds } from '../../src/queue/sender-holds.js';
import { HERALD_BIN, spawnNode } from '../helpers/processes.js';
import { deleteKeys, testRedisUrl, uniquePrefix } from '../helpers/stack.js';

const prefix = uniquePrefix('senders');
let connection: Redis;
let holds: SenderHolds;

async function herald(args: string[], env: Record<string, string> = {}) {
  const run = spawnNode([HERALD_BIN, ...args], { REDIS_URL: testRedisUrl(), HERALD_PREFIX: prefix, ...env });
  const { code } = await run.exited;
  return { code, output: run.output() };
}

beforeAll(async () => {
  connection = await connectRedis(testRedisUrl(), { role: 'command' });
  holds = new SenderHolds(connection, makeKeys(prefix));
});
afterAll(async () => {
  await deleteKeys(connection, prefix);
  await connection.quit();
});

describe('herald senders', () => {
  it('lists held senders and the account, and resumes them', async () => {
    const until = Date.now() + 3_600_000;
    await holds.halt('sender', 'p15005550001', '21212', 'invalid From number');
    await holds.pause('p14155550100', until, '63038', 'daily message limit reached (63038)');
    await holds.halt('account', '', '20003', 'authentication failed');

    const listed = await herald(['senders']);
    expect(listed.code).toBe(0);
    const lines = listed.output.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^all sending \(the whole account\) halted: 20003 authentication failed; .*herald senders resume --account/,
    );
    expect(lines[1]).toMatch(new RegExp(`^p14155550100 .*paused until ${new Date(until).toISOString()} \\(63038 `));
    expect(lines[2]).toMatch(/^p15005550001 .*halted since .* \(21212 invalid From number\)/);

    const json = JSON.parse((await herald(['senders', '--json'])).output) as {
      account: { code: string };
      senders: { senderId: string; state: string }[];
    };
    expect(json.account.code).toBe('20003');
    expect(json.senders.map(({ senderId, state }) => [senderId, state])).toEqual([
      ['p14155550100', 'paused'],
      ['p15005550001', 'halted'],
    ]);

    expect(await herald(['senders', 'resume', '+15005550001'])).toEqual({
      code: 0,
      output:
        'sender p15005550001 was halted (21212 invalid From number); resumed; 0 queue(s) of active campaigns asked to send now\n',
    });
    expect(await holds.holdOf('p15005550001')).toMatchObject({ scope: 'account' });
    expect((await herald(['senders', 'resume', '--account'])).output).toMatch(/^the account was halted \(20003 /);
    expect(await holds.holdOf('p15005550001')).toBeUndefined();
    expect((await herald(['senders', 'resume', 'p15005550001'])).output).toMatch(/was not paused or halted/);
  });

  it.each([
    [['senders', 'resume'], /^herald: give either a sender or --account/],
    [['senders', 'resume', '+15005550001', '--account'], /^herald: give either a sender or --account/],
    [['senders', 'resume', 'nope'], /^herald: sender nope: expected \+E\.164/],
  ])('refuses %j with one line and exit 2', async (args, expected) => {
    const result = await herald(args);
    expect(result).toEqual({ code: 2, output: expect.stringMatching(expected) });
    expect(result.output.trim().split('\n')).toHaveLength(1);
  });

  it('says so in one line when Redis cannot be reached', async () => {
    expect(await herald(['senders'], { REDIS_URL: 'redis://127.0.0.1:1' })).toEqual({
      code: 1,
      output: expect.stringMatching(/^herald: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: .*\n$/),
    });
  });

  it('explains itself with examples in --help', async () => {
    for (const args of [
      ['senders', '--help'],
      ['senders', 'resume', '--help'],
    ]) {
      const result = await herald(args);
      expect(result.code).toBe(0);
      expect(result.output).toContain('herald senders resume --account');
    }
  });
});
