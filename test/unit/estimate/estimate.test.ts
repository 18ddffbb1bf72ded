import { describe, expect, it } from '@jest/globals';

import { estimateCost } from '../../../src/estimate/estimate-cost.js';
import { chainOf, NO_GROUPS, type RateGroups } from '../../../src/domain/rate-group.js';
import { parseSender, type Sender } from '../../../src/domain/sender.js';
import { estimateDuration } from '../../../src/estimate/estimate-duration.js';
import { EXAMPLE_PRICES, parsePriceTable, type PriceTable } from '../../../src/estimate/price-table.js';

const table: PriceTable = {
  currency: 'USD',
  asOf: '2026-11-01',
  source: 'test',
  prices: { US: { smsSegment: 0.01, mms: 0.02 }, '*': { smsSegment: 0.05 } },
};

describe('cost estimate', () => {
  it('prices SMS per segment and MMS per message, using * for other countries', () => {
    const estimate = estimateCost(
      {
        'US|sms': { messages: 10, segments: 13, paceCost: 13 },
        'US|mms': { messages: 2, segments: 0, paceCost: 2 },
        'FR|sms': { messages: 1, segments: 3, paceCost: 3 },
      },
      table,
    );
    expect(estimate.lines.map(({ country, channel, cost }) => [country, channel, Number(cost.toFixed(4))])).toEqual([
      ['FR', 'sms', 0.15],
      ['US', 'mms', 0.04],
      ['US', 'sms', 0.13],
    ]);
    expect(estimate.total).toBeCloseTo(0.32, 10);
    expect(estimate.unpriced).toEqual([]);
  });

  it('lists what the table has no price for instead of guessing', () => {
    const estimate = estimateCost(
      { 'FR|mms': { messages: 4, segments: 0, paceCost: 4 }, 'FR|whatsapp': { messages: 1, segments: 0, paceCost: 1 } },
      { ...table, prices: { US: { smsSegment: 0.01 } } },
    );
    expect(estimate.total).toBe(0);
    expect(estimate.unpriced).toEqual([
      { country: 'FR', channel: 'mms', messages: 4 },
      { country: 'FR', channel: 'whatsapp', messages: 1 },
    ]);
  });
});

describe('price table', () => {
  it('accepts the shipped example, which says it is one', () => {
    expect(parsePriceTable(JSON.stringify(EXAMPLE_PRICES))).toEqual({ ok: true, table: EXAMPLE_PRICES });
    expect(EXAMPLE_PRICES.source).toMatch(/^EXAMPLE/);
  });

  it.each([
    ['not JSON', '{', /^not JSON/],
    ['an unknown country', JSON.stringify({ ...table, prices: { XX: { smsSegment: 1 } } }), /^prices: keys must be/],
    ['a negative price', JSON.stringify({ ...table, prices: { US: { smsSegment: -1 } } }), /^prices\.US\.smsSegment: /],
    ['an unknown field', JSON.stringify({ ...table, vat: 0.2 }), /vat/],
    ['a bad currency', JSON.stringify({ ...table, currency: 'dollars' }), /^currency: an ISO 4217 code/],
  ])('refuses %s in one line', (_what, text, reason) => {
    const parsed = parsePriceTable(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.reason).toMatch(reason);
      expect(parsed.reason).not.toContain('\n');
    }
  });
});

describe('duration at the senders’ limits', () => {
  const sender = (from: string) => {
    const parsed = parseSender(from);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.sender;
  };
  const senders: Record<string, Sender> = {
    p1: sender('+14155550100'),
    p2: sender('+14155550101'),
    s2: sender('55501'),
  };
  const NOW = Date.parse('2026-11-23T18:00:00Z');
  const none = () => ({ used: 0 });

  it('paces each sender at its limit and takes the busiest', () => {
    const { seconds, senders: rows } = estimateDuration(
      {
        p1: { messages: 97, segments: 97, paceCost: 97 },
        s2: { messages: 970, segments: 1940, paceCost: 1940 },
      },
      (id) => chainOf(NO_GROUPS, senders[id]!),
      none,
      NOW,
    );
    expect(rows.map((row) => Math.round(row.seconds * 1000) / 1000)).toEqual([97, 19.4]);
    expect(seconds).toBeCloseTo(97, 6);
  });

  const pool: RateGroups = {
    groups: new Map([
      [
        'acme',
        {
          name: 'acme',
          kind: 'brand',
          dailyCap: { segments: 2000, resetAt: '00:00', timeZone: 'America/Los_Angeles' },
        },
      ],
      [
        'acme-10dlc',
        { name: 'acme-10dlc', kind: 'pool', parent: 'acme', limit: { count: 1, per: 'second' }, memberLimit: 'none' },
      ],
    ]),
    senders: new Map([
      ['p14155550100', { group: 'acme-10dlc' }],
      ['p14155550101', { group: 'acme-10dlc' }],
    ]),
  };
  const volume = (cost: number) => ({ messages: cost, segments: cost, paceCost: cost });

  it('a pool’s numbers share its limit: the pool’s whole load decides', () => {
    const estimate = estimateDuration(
      { p1: volume(600), p2: volume(600) },
      (id) => chainOf(pool, senders[id]!),
      none,
      NOW,
    );
    expect(estimate.pacedSeconds).toBe(1200);
    expect(estimate.caps).toEqual([
      expect.objectContaining({ group: 'acme', segments: 2000, used: 0, cost: 1200, seconds: 1200 }),
    ]);
    expect(estimate.caps[0]).not.toHaveProperty('reachedAt');
  });

  it('a daily cap the campaign outgrows holds it until each reset, and says when', () => {
    // 4,500 segments at 1/s through a cap of 2,000 a day, 500 used today: 1,500 go by 18:25 UTC, the rest wait
    // for midnight in Los Angeles (08:00 UTC) twice.
    const estimate = estimateDuration(
      { p1: volume(2250), p2: volume(2250) },
      (id) => chainOf(pool, senders[id]!),
      () => ({ used: 500, resetsAt: Date.parse('2026-11-24T08:00:00Z') }),
      NOW,
    );
    expect(estimate.pacedSeconds).toBe(4500);
    const [cap] = estimate.caps;
    expect(new Date(cap!.reachedAt!).toISOString()).toBe('2026-11-23T18:25:00.000Z');
    // Day two sends 2,000 from 08:00 UTC (till 08:33:20), day three the last 1,000 from 08:00 UTC on the 25th.
    expect(new Date(cap!.doneAt).toISOString()).toBe('2026-11-25T08:16:40.000Z');
    expect(estimate.seconds).toBe((cap!.doneAt - NOW) / 1000);
  });

  it('is zero with nothing to send', () => {
    expect(estimateDuration({}, () => chainOf(NO_GROUPS, senders['p1']!), none, NOW).seconds).toBe(0);
  });
});
