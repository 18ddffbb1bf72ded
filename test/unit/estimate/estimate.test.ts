import { describe, expect, it } from '@jest/globals';

import { estimateCost } from '../../../src/estimate/estimate-cost.js';
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
  it('paces each sender as the workers do and takes the slowest', () => {
    const { seconds, senders } = estimateDuration(
      {
        p1: { messages: 97, segments: 97, paceCost: 97 },
        s2: { messages: 970, segments: 1940, paceCost: 1940 },
      },
      (id) => (id === 'p1' ? 1 : 100),
    );
    expect(senders.map((sender) => Math.round(sender.seconds * 1000) / 1000)).toEqual([97, 19.4]);
    expect(seconds).toBeCloseTo(97, 6);
  });

  it('is zero with nothing to send', () => {
    expect(estimateDuration({}, () => 1).seconds).toBe(0);
  });
});
