import { describe, expect, it } from '@jest/globals';

import { formatRateGroupsFile, parseLimit, parseRateGroupsFile } from '../../../src/domain/rate-group-file.js';

const FILE = {
  groups: [
    { name: 'account', kind: 'account', limit: '100/s' },
    { name: 'acme', kind: 'brand', parent: 'account', dailyCap: { segments: 10000 } },
    {
      name: 'acme-10dlc',
      kind: 'pool',
      parent: 'acme',
      limit: '4500/min',
      memberLimit: 'none',
      senders: ['+14155550100', 'p14155550101'],
    },
    { name: 'toll-free', kind: 'pool', parent: 'account', senders: ['+18005550100'] },
    { name: 'short', kind: 'pool', parent: 'account', senders: ['55501'] },
  ],
  senders: [{ sender: '+18005550100', limit: '25/s' }],
};

describe('parseRateGroupsFile', () => {
  it('reads groups, memberships and sender limits, with T-Mobile’s reset as the cap’s default', () => {
    const parsed = parseRateGroupsFile(JSON.stringify(FILE));
    if (!parsed.ok) throw new Error(parsed.reason);
    const { groups, senders } = parsed.groups;
    expect([...groups.keys()]).toEqual(['account', 'acme', 'acme-10dlc', 'toll-free', 'short']);
    expect(groups.get('acme')?.dailyCap).toEqual({
      segments: 10000,
      resetAt: '00:00',
      timeZone: 'America/Los_Angeles',
    });
    expect(groups.get('acme-10dlc')).toMatchObject({ limit: { count: 4500, per: 'minute' }, memberLimit: 'none' });
    expect(Object.fromEntries(senders)).toEqual({
      p14155550100: { group: 'acme-10dlc' },
      p14155550101: { group: 'acme-10dlc' },
      t18005550100: { group: 'toll-free', limit: { count: 25, per: 'second' } },
      s55501: { group: 'short' },
    });
  });

  it('writes what it reads: the stored form reads back the same', () => {
    const parsed = parseRateGroupsFile(JSON.stringify(FILE));
    if (!parsed.ok) throw new Error(parsed.reason);
    const again = parseRateGroupsFile(formatRateGroupsFile(parsed.groups));
    expect(again).toEqual(parsed);
  });

  it('reads an empty file as no groups', () => {
    expect(parseRateGroupsFile('{}')).toEqual({ ok: true, groups: { groups: new Map(), senders: new Map() } });
  });

  const bad = (change: (file: typeof FILE) => unknown) => JSON.stringify(change(structuredClone(FILE)));
  it.each([
    ['{', /^groups file is not JSON: /],
    [bad((file) => ({ ...file, extra: 1 })), /^groups file: Unrecognized key/],
    [bad((file) => ((file.groups[0]!.kind = 'galaxy'), file)), /^groups file: groups\.0\.kind: /],
    [
      bad((file) => ((file.groups[1]!.parent = 'nobody'), file)),
      /^groups file: group "acme": parent "nobody" is not a group$/,
    ],
    [
      bad((file) => ((file.groups[0]!.parent = 'acme'), file)),
      /^groups file: group "account": a account's parent must be broader \(pool < brand < account\), not a brand$/,
    ],
    [
      bad((file) => ((file.groups[3]!.name = 'acme'), file)),
      /^groups file: groups\[3\]: group "acme" is defined twice$/,
    ],
    [
      bad((file) => ((file.groups[0]!.limit = 'fast'), file)),
      /^groups file: groups\[0\]\.limit: "fast" is not a limit/,
    ],
    [bad((file) => ((file.groups[0]!.limit = '0/s'), file)), /is not a limit such as 75\/s/],
    [bad((file) => ((file.groups[4]!.senders = ['+18005550100']), file)), /sender \+18005550100 is in two groups$/],
    [
      bad((file) => ((file.groups[4]!.senders = ['hello']), file)),
      /^groups file: groups\[4\]\.senders: sender hello: /,
    ],
    [
      bad((file) => (((file.groups[1] as { dailyCap: object }).dailyCap = { segments: 5, timeZone: 'Mars' }), file)),
      /timeZone: "Mars" is not a time zone$/,
    ],
    [
      bad((file) => (((file.groups[1] as { dailyCap: object }).dailyCap = { segments: 5, resetAt: '24:00' }), file)),
      /resetAt: "24:00" is not a time of day HH:MM$/,
    ],
    [
      bad((file) => {
        const short = file.groups[4] as { parent?: string; memberLimit?: string };
        delete short.parent;
        short.memberLimit = 'none';
        return file;
      }),
      /^groups file: group "short": memberLimit none needs a limit on the group or a group above it$/,
    ],
    [
      bad((file) => ((file.senders = [{ sender: '+18005550100', limit: '25/s', group: 'short' } as never]), file)),
      /is in group "toll-free" and in "short"$/,
    ],
    [
      bad((file) => ((file.senders = [{ sender: '+18005550101', group: 'nope' } as never]), file)),
      /^groups file: sender t18005550101: group "nope" is not a group/,
    ],
  ])('refuses %s in one line', (text, reason) => {
    const parsed = parseRateGroupsFile(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.reason).toMatch(reason);
      expect(parsed.reason).not.toContain('\n');
    }
  });
});

describe('parseLimit', () => {
  it.each([
    ['75/s', { count: 75, per: 'second' }],
    ['4500 / min', { count: 4500, per: 'minute' }],
    ['0.5/second', { count: 0.5, per: 'second' }],
    ['10', undefined],
    ['-1/s', undefined],
    ['200000/s', undefined],
  ])('%s', (text, expected) => expect(parseLimit(text)).toEqual(expected));
});
