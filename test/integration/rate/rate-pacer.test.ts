import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import { chainOf, intervalMs, type RateChain, type RateGroups } from '../../../src/domain/rate-group.js';
import { parseSender } from '../../../src/domain/sender.js';
import { type Keys, makeKeys } from '../../../src/store/keys.js';
import { connectRedis } from '../../../src/redis/redis-connection.js';
import { Holds } from '../../../src/rate/holds.js';
import { RatePacer } from '../../../src/rate/rate-pacer.js';
import { TAKE_CAPACITY } from '../../../src/rate/rate-scripts.js';
import { deleteKeys, testRedisUrl, uniquePrefix } from '../../helpers/stack.js';

const GROUPS: RateGroups = {
  groups: new Map([
    ['account', { name: 'account', kind: 'account', limit: { count: 100, per: 'second' } }],
    [
      'pool',
      { name: 'pool', kind: 'pool', parent: 'account', limit: { count: 2, per: 'second' }, memberLimit: 'none' },
    ],
    ['tf', { name: 'tf', kind: 'pool', parent: 'account' }],
    ['slow', { name: 'slow', kind: 'pool', limit: { count: 60, per: 'minute' } }],
    [
      'capped',
      { name: 'capped', kind: 'brand', dailyCap: { segments: 3, resetAt: '00:00', timeZone: 'America/Los_Angeles' } },
    ],
  ]),
  senders: new Map([
    ['p14155550100', { group: 'pool' }],
    ['p14155550101', { group: 'pool' }],
    ['t18005550100', { group: 'tf' }],
    ['t18005550101', { group: 'tf' }],
    ['p14155550102', { group: 'slow', limit: 'none' as const }],
    ['s55501', { group: 'capped' }],
  ]),
};

function chain(from: string): RateChain {
  const parsed = parseSender(from);
  if (!parsed.ok) throw new Error(parsed.reason);
  return chainOf(GROUPS, parsed.sender);
}

describe('taking a send’s cost from every link of its chain', () => {
  let connection: Redis;
  let keys: Keys;

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('rate-pacer'));
  });

  afterAll(async () => {
    await deleteKeys(connection, keys.prefix);
    await deleteKeys(connection, `${keys.prefix}-fresh`);
    await deleteKeys(connection, `${keys.prefix}-pool`);
    await connection.quit();
  });

  /** One take as the pacer makes it, answered as the script answers, with a far horizon unless given. */
  async function take(of: RateChain, cost = 1, horizonMs = 60_000, on = keys): Promise<[string, ...unknown[]]> {
    const args = [
      horizonMs,
      cost,
      ...of.links.flatMap((link) => [link.id, link.limit ? intervalMs(link.limit) : 0, 0, 0]),
    ];
    return (await TAKE_CAPACITY.run(connection, [on.rateChain(of.tag)], args)) as [string, ...unknown[]];
  }

  const tat = async (of: RateChain, linkId: string, on = keys) => {
    const value = await connection.hget(on.rateChain(of.tag), `${linkId}:tat`);
    return value === null ? undefined : Number(value);
  };

  it('paces a pool’s numbers together at the pool’s rate, the numbers having no limit of their own', async () => {
    const [a, b] = [chain('+14155550100'), chain('+14155550101')];
    expect(a.tag).toBe(b.tag);
    // A schedule of its own, so the other tests' sends find the pool free.
    const own = makeKeys(`${keys.prefix}-pool`);
    await take(a, 1, 60_000, own);
    const first = (await tat(a, 'g:pool', own))!;
    for (let index = 0; index < 9; index++)
      expect((await take(index % 2 === 0 ? b : a, 1, 60_000, own))[0]).toBe('slot');
    // Ten sends, 500 ms apart at 2/s, whichever number each came from.
    expect((await tat(a, 'g:pool', own))! - first).toBeCloseTo(9 * 500, 3);
    expect(await tat(a, 's:p14155550100', own)).toBeUndefined();
    // The account (100/s) was never the one to bind: its schedule moved 10 ms per send from where it stood (or from
    // now), not to the pool's slots seconds ahead.
    expect(await tat(a, 'g:account', own)).toBeLessThan(first + 9 * 500 - 2000);
  });

  it('does not push a link that does not bind ahead of its own schedule: other senders of the group go at once', async () => {
    const [one, other] = [chain('+18005550100'), chain('+18005550101')];
    // An account of its own, untouched by the other tests' sends.
    const fresh = makeKeys(`${keys.prefix}-fresh`);
    for (let index = 0; index < 3; index++) await take(one, 1, 60_000, fresh);
    // The toll-free number's third slot is ~667 ms ahead; the account's (30 ms) and the pool's are not.
    const [kind, waitMs] = await take(other, 1, 60_000, fresh);
    expect(kind).toBe('slot');
    expect(waitMs).toBeLessThan(50);
  });

  it('spaces a per-minute limit evenly and counts segments', async () => {
    const slow = chain('+14155550102');
    await take(slow, 1);
    const start = (await tat(slow, 'g:slow'))!;
    await take(slow, 3);
    expect((await tat(slow, 'g:slow'))! - start).toBeCloseTo(3000, 3);
  });

  it('takes nothing when the slot lies beyond the horizon', async () => {
    const slow = chain('+14155550102');
    const before = await tat(slow, 'g:slow');
    const [kind, waitMs] = await take(slow, 1, 100);
    expect(kind).toBe('later');
    expect(waitMs).toBeGreaterThan(1000);
    expect(await tat(slow, 'g:slow')).toBe(before);
  });

  it('holds a group that reaches its daily cap until the reset, once; a message above the cap alone goes on an empty count', async () => {
    const pacer = new RatePacer(connection, keys);
    const capped = chain('55501');
    for (let index = 0; index < 3; index++) expect(await pacer.take(capped, 1)).toMatchObject({ kind: 'slot' });
    const reached = await pacer.take(capped, 1);
    expect(reached).toMatchObject({
      kind: 'held',
      capped: true,
      link: { id: 'g:capped' },
      hold: { state: 'held', code: 'daily-cap', reason: 'daily cap of 3 segments reached' },
    });
    // Midnight in Los Angeles, within the next day.
    const until = reached.kind === 'held' && reached.hold.state === 'held' ? reached.hold.until : 0;
    expect(until - Date.now()).toBeGreaterThan(0);
    expect(until - Date.now()).toBeLessThanOrEqual(25 * 3_600_000);
    expect(await pacer.take(capped, 1)).toMatchObject({ kind: 'held', capped: false });

    // The day turns: the count starts again (and the hold, which ended then, is no hold).
    const key = keys.rateChain(capped.tag);
    await connection.hset(key, 'g:capped:period', Date.now() - 1);
    await connection.hdel(key, 'g:capped:hold');
    await connection.hset(key, 'g:capped:used', 0);
    expect(await pacer.take(capped, 5)).toMatchObject({ kind: 'slot' });
    expect(await connection.hget(key, 'g:capped:used')).toBe('5');
  });

  it('answers a held link’s hold and takes nothing; once lifted the send gets its slot', async () => {
    const pacer = new RatePacer(connection, keys);
    const holds = new Holds(connection, keys);
    const pooled = chain('+14155550100');
    const pool = pooled.links[1]!;
    const before = await tat(pooled, 'g:pool');
    expect(
      await holds.hold(pooled, pool, { state: 'held', code: '30027', reason: 'T-Mobile', until: Date.now() + 60_000 }),
    ).toBe(true);
    expect(
      await holds.hold(pooled, pool, { state: 'held', code: '30027', reason: 'T-Mobile', until: Date.now() + 90_000 }),
    ).toBe(false);
    expect(await pacer.take(pooled, 1)).toMatchObject({
      kind: 'held',
      capped: false,
      link: { id: 'g:pool' },
      hold: { code: '30027' },
    });
    expect(await tat(pooled, 'g:pool')).toBe(before);
    // A halt replaces a hold until a time; a hold until a time never replaces a halt.
    expect(await holds.hold(pooled, pool, { state: 'halted', code: '21606', reason: 'x' })).toBe(true);
    expect(
      await holds.hold(pooled, pool, { state: 'held', code: '30027', reason: 'T-Mobile', until: Date.now() + 1 }),
    ).toBe(false);
    expect(await holds.heldIn(pooled)).toMatchObject({ link: { id: 'g:pool' }, hold: { state: 'halted' } });
    expect(await holds.lift(pooled.tag, pool.id)).toMatchObject({ state: 'halted' });
    expect(await pacer.take(pooled, 1)).toMatchObject({ kind: 'slot' });
  });

  it('throttles one link for every process: its next slot is no earlier than the wait', async () => {
    const pacer = new RatePacer(connection, keys);
    const pooled = chain('+14155550101');
    const before = Date.now();
    await pacer.throttle(pooled, pooled.links[1]!, 500);
    expect((await tat(pooled, 'g:pool'))!).toBeGreaterThanOrEqual(before + 490);
    const [kind, waitMs] = await take(pooled);
    expect(kind).toBe('slot');
    expect(waitMs).toBeGreaterThan(400);
  });
});
