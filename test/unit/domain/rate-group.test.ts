import { describe, expect, it } from '@jest/globals';

import {
  chainOf,
  intervalMs,
  linkAt,
  NO_GROUPS,
  type RateGroups,
  shareRate,
  tagOfSender,
  tightestRate,
} from '../../../src/domain/rate-group.js';
import { parseSender, type Sender } from '../../../src/domain/sender.js';

function sender(from: string): Sender {
  const parsed = parseSender(from);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.sender;
}

const GROUPS: RateGroups = {
  groups: new Map([
    ['account', { name: 'account', kind: 'account', limit: { count: 100, per: 'second' } }],
    [
      'acme',
      {
        name: 'acme',
        kind: 'brand',
        parent: 'account',
        dailyCap: { segments: 10_000, resetAt: '00:00', timeZone: 'America/Los_Angeles' },
      },
    ],
    [
      'acme-10dlc',
      { name: 'acme-10dlc', kind: 'pool', parent: 'acme', limit: { count: 4500, per: 'minute' }, memberLimit: 'none' },
    ],
    ['toll-free', { name: 'toll-free', kind: 'pool', parent: 'account' }],
  ]),
  senders: new Map([
    ['p14155550100', { group: 'acme-10dlc' }],
    ['p14155550101', { group: 'acme-10dlc', limit: { count: 10, per: 'second' } }],
    ['t18005550100', { group: 'toll-free' }],
  ]),
};

describe('chainOf', () => {
  it('a sender in no group is its own chain, at its kind’s default limit', () => {
    const chain = chainOf(NO_GROUPS, sender('+18005550199'));
    expect(chain).toEqual({
      senderId: 't18005550199',
      links: [{ id: 's:t18005550199', level: 'sender', label: 't18005550199', limit: { count: 3, per: 'second' } }],
      tag: 's:t18005550199',
    });
    expect(tightestRate(chain)).toBe(3);
  });

  it('walks from the sender to the broadest group; the tag is the broadest link', () => {
    const chain = chainOf(GROUPS, sender('+14155550100'));
    expect(chain.links.map((link) => [link.id, link.level])).toEqual([
      ['s:p14155550100', 'sender'],
      ['g:acme-10dlc', 'pool'],
      ['g:acme', 'brand'],
      ['g:account', 'account'],
    ]);
    expect(chain.tag).toBe('g:account');
    expect(tagOfSender(GROUPS, 'p14155550100')).toBe('g:account');
    // memberLimit none: a 10DLC number has no limit of its own; the pool's 4500/min binds, 75/s.
    expect(chain.links[0]!.limit).toBeUndefined();
    expect(tightestRate(chain)).toBe(75);
    expect(chain.links[2]!.dailyCap).toMatchObject({ segments: 10_000 });
  });

  it('a limit set for the sender wins over its group’s memberLimit; a toll-free member keeps its default', () => {
    expect(chainOf(GROUPS, sender('+14155550101')).links[0]!.limit).toEqual({ count: 10, per: 'second' });
    const tollFree = chainOf(GROUPS, sender('+18005550100'));
    expect(tollFree.links.map((link) => link.label)).toEqual(['t18005550100', 'toll-free', 'account']);
    expect(tightestRate(tollFree)).toBe(3);
  });

  it('spaces a unit of cost by the limit, per second or per minute', () => {
    expect(intervalMs({ count: 3, per: 'second' })).toBeCloseTo(333.33, 2);
    expect(intervalMs({ count: 4500, per: 'minute' })).toBeCloseTo(13.33, 2);
  });
});

describe('linkAt', () => {
  it('finds the link of a level, else the broadest narrower one', () => {
    const pooled = chainOf(GROUPS, sender('+14155550100'));
    expect(linkAt(pooled, 'brand').label).toBe('acme');
    expect(linkAt(pooled, 'pool').label).toBe('acme-10dlc');
    const tollFree = chainOf(GROUPS, sender('+18005550100'));
    // No brand above the toll-free pool: a brand's hold lands on the pool, not on the whole account.
    expect(linkAt(tollFree, 'brand').label).toBe('toll-free');
    expect(linkAt(chainOf(NO_GROUPS, sender('+14155550199')), 'brand').label).toBe('p14155550199');
  });
});

describe('shareRate', () => {
  it('is a sender’s share of each limit it shares with the campaign’s other senders', () => {
    const chains = ['+14155550100', '+14155550101', '+18005550100'].map((from) => chainOf(GROUPS, sender(from)));
    // Two numbers share the pool's 75/s (and the account's 100/s with the toll-free number).
    expect(shareRate(chains[0]!, chains)).toBe(33 + 1 / 3);
    expect(shareRate(chains[1]!, chains)).toBe(10);
    expect(shareRate(chains[2]!, chains)).toBe(3);
  });
});
