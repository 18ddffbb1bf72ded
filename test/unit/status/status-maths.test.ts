import { describe, expect, it } from '@jest/globals';

import { etaSeconds, pendingOf, settledOf, settleRate, topLevelTotals } from '../../../src/status/status-maths.js';

describe('status maths', () => {
  const counts = {
    queued: 100,
    sent: 50,
    'sent:sms': 50,
    delivered: 40,
    undelivered: 5,
    failed: 10,
    unknown: 2,
    cancelled: 8,
    rejected: 3,
    resent: 4,
  };

  it('lists every campaign-wide total, the usual ones first, states it does not know after', () => {
    expect(topLevelTotals(counts).map(([field]) => field)).toEqual([
      'queued',
      'sent',
      'delivered',
      'undelivered',
      'failed',
      'unknown',
      'cancelled',
      'rejected',
      'resent',
    ]);
  });

  it('counts a new final state such as cancelled as settled, and receipts as part of sent', () => {
    expect(settledOf(counts)).toBe(50 + 10 + 2 + 8);
    expect(pendingOf(counts)).toBe(30);
  });

  it('measures the rate over the window only', () => {
    const samples = [
      { at: 0, settled: 0 },
      { at: 5_000, settled: 100 },
      { at: 10_000, settled: 110 },
      { at: 15_000, settled: 160 },
    ];
    expect(settleRate(samples, 10_000)).toBeCloseTo(6, 10);
    expect(settleRate(samples.slice(0, 1), 10_000)).toBeUndefined();
    expect(settleRate([], 10_000)).toBeUndefined();
  });

  it('gives an ETA only when there is a rate', () => {
    expect(etaSeconds(120, 4)).toBe(30);
    expect(etaSeconds(0, undefined)).toBe(0);
    expect(etaSeconds(10, 0)).toBeUndefined();
  });
});
