import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import { makeKeys } from '../../src/store/keys.js';
import { connectRedis } from '../../src/redis/redis-connection.js';
import { chainOf, NO_GROUPS, type RateChain } from '../../src/domain/rate-group.js';
import { parseSender } from '../../src/domain/sender.js';
import { Holds } from '../../src/rate/holds.js';
import { RateGroupsStore } from '../../src/rate/rate-groups-store.js';
import { HERALD_BIN, spawnNode } from '../helpers/processes.js';
import { deleteKeys, testRedisUrl, uniquePrefix } from '../helpers/stack.js';

const prefix = uniquePrefix('senders');
let connection: Redis;
let holds: Holds;

function chainFor(from: string): RateChain {
  const parsed = parseSender(from);
  if (!parsed.ok) throw new Error(parsed.reason);
  return chainOf(NO_GROUPS, parsed.sender);
}
const own = (chain: RateChain) => chain.links[0]!;

async function herald(args: string[], env: Record<string, string> = {}) {
  const run = spawnNode([HERALD_BIN, ...args], { REDIS_URL: testRedisUrl(), HERALD_PREFIX: prefix, ...env });
  const { code } = await run.exited;
  return { code, output: run.output() };
}

beforeAll(async () => {
  connection = await connectRedis(testRedisUrl(), { role: 'command' });
  holds = new Holds(connection, makeKeys(prefix));
});
afterAll(async () => {
  await deleteKeys(connection, prefix);
  await connection.quit();
});

describe('herald senders', () => {
  // The tests that change nothing in Redis run side by side with the rest: a CLI spends its time starting.
  it('lists held senders and the account, and resumes them', async () => {
    const until = Date.now() + 3_600_000;
    const bad = chainFor('+15005550001');
    const capped = chainFor('+14155550100');
    await holds.hold(bad, own(bad), { state: 'halted', code: '21212', reason: 'invalid From number' });
    await holds.hold(capped, own(capped), {
      state: 'held',
      code: '63038',
      reason: 'daily message limit reached',
      until,
    });
    await holds.haltAccount('20003', 'authentication failed');

    const listed = await herald(['senders']);
    expect(listed.code).toBe(0);
    const lines = listed.output.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^all sending \(the whole account\) halted: 20003 authentication failed; .*herald senders resume --account/,
    );
    expect(lines[1]).toMatch(new RegExp(`^p14155550100 .*held until ${new Date(until).toISOString()} \\(63038 `));
    expect(lines[2]).toMatch(/^p15005550001 .*halted since .* \(21212 invalid From number\)/);

    const json = JSON.parse((await herald(['senders', '--json'])).output) as {
      account: { code: string };
      senders: { senderId: string; state: string }[];
    };
    expect(json.account.code).toBe('20003');
    expect(json.senders.map(({ senderId, state }) => [senderId, state])).toEqual([
      ['p14155550100', 'held'],
      ['p15005550001', 'halted'],
    ]);

    expect(await herald(['senders', 'resume', '+15005550001'])).toEqual({
      code: 0,
      output:
        'sender p15005550001 was halted (21212 invalid From number); resumed; 0 queue(s) of active campaigns asked to send now\n',
    });
    expect(await holds.heldIn(bad)).toBeUndefined();
    expect(await holds.accountHold()).toMatchObject({ code: '20003' });
    expect((await herald(['senders', 'resume', '--account'])).output).toMatch(/^the account was halted \(20003 /);
    expect(await holds.accountHold()).toBeUndefined();
    expect((await herald(['senders', 'resume', 'p15005550001'])).output).toMatch(/was not held or halted/);
  });

  it.concurrent.each([
    [['senders', 'resume'], /^herald: give either a sender or --account/],
    [['senders', 'resume', '+15005550001', '--account'], /^herald: give either a sender or --account/],
    [['senders', 'resume', 'nope'], /^herald: sender nope: expected \+E\.164/],
  ])('refuses %j with one line and exit 2', async (args, expected) => {
    const result = await herald(args);
    expect(result).toEqual({ code: 2, output: expect.stringMatching(expected) });
    expect(result.output.trim().split('\n')).toHaveLength(1);
  });

  it.concurrent('says so in one line when Redis cannot be reached', async () => {
    expect(await herald(['senders'], { REDIS_URL: 'redis://127.0.0.1:1' })).toEqual({
      code: 1,
      output: expect.stringMatching(/^herald: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: .*\n$/),
    });
  });

  it.concurrent('explains itself with examples in --help', async () => {
    const results = await Promise.all([herald(['senders', '--help']), herald(['senders', 'resume', '--help'])]);
    for (const result of results) {
      expect(result.code).toBe(0);
      expect(result.output).toContain('herald senders resume --account');
    }
  });
});

describe('herald groups', () => {
  const file = (groups: unknown) => {
    const path = join(mkdtempSync(join(tmpdir(), 'herald-groups-')), 'groups.json');
    writeFileSync(path, JSON.stringify(groups));
    return path;
  };
  const GROUPS = {
    groups: [
      { name: 'acme', kind: 'brand', dailyCap: { segments: 10000 } },
      {
        name: 'acme-10dlc',
        kind: 'pool',
        parent: 'acme',
        limit: '75/s',
        memberLimit: 'none',
        senders: ['+14155550130'],
      },
    ],
  };

  it('applies a groups file, lists the groups with their caps, and resumes a held one', async () => {
    expect(await herald(['groups'])).toEqual({
      code: 0,
      output: 'no rate groups: every sender sends at its own limit (see herald groups --help)\n',
    });
    expect(await herald(['groups', 'apply', file(GROUPS)])).toEqual({
      code: 0,
      output: 'applied 2 group(s) and 1 sender setting(s); running workers use them within seconds\n',
    });
    const listed = (await herald(['groups'])).output.trimEnd().split('\n');
    expect(listed).toEqual([
      'acme (brand): no limit; daily cap 0/10000 segments, resets at 00:00 America/Los_Angeles; running',
      'acme-10dlc (pool in acme): 75/s, members no limit each; running — senders: p14155550130',
    ]);

    const pooled = chainOf(await new RateGroupsStore(connection, makeKeys(prefix)).read(), pooledSender());
    expect(pooled.links.map((link) => link.label)).toEqual(['p14155550130', 'acme-10dlc', 'acme']);
    const until = Date.now() + 3_600_000;
    await holds.hold(pooled, pooled.links[2]!, { state: 'held', code: '30027', reason: 'T-Mobile daily cap', until });
    const json = JSON.parse((await herald(['groups', '--json'])).output) as {
      groups: { name: string; state: string }[];
    };
    expect(json.groups.map(({ name, state }) => [name, state])).toEqual([
      ['acme', 'held'],
      ['acme-10dlc', 'running'],
    ]);
    expect((await herald(['groups', 'resume', 'acme'])).output).toMatch(
      /^group acme was held \(30027 T-Mobile daily cap\); resumed/,
    );
    expect(await holds.heldIn(pooled)).toBeUndefined();
  });

  it.concurrent.each([
    [
      ['groups', 'apply', '/nonexistent/groups.json'],
      /^herald: cannot read groups file \/nonexistent\/groups\.json: ENOENT\n$/,
    ],
    [['groups', 'resume', 'nobody'], /^herald: no group named nobody/],
  ])('refuses %j with one line and exit 2', async (args, expected) => {
    const result = await herald(args);
    expect(result).toEqual({ code: 2, output: expect.stringMatching(expected) });
    expect(result.output.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a bad groups file in one line, and keeps the groups it had', async () => {
    expect((await herald(['groups', 'apply', file(GROUPS)])).code).toBe(0);
    const result = await herald(['groups', 'apply', file({ groups: [{ name: 'x', kind: 'pool', parent: 'y' }] })]);
    expect(result).toEqual({ code: 2, output: 'herald: groups file: group "x": parent "y" is not a group\n' });
    expect((await herald(['groups'])).output).toContain('acme-10dlc (pool in acme)');
  });
});

function pooledSender() {
  const parsed = parseSender('+14155550130');
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.sender;
}
