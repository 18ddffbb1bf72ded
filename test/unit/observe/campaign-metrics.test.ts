import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';

import type { CampaignName } from '../../../src/domain/campaign.js';
import { registerCampaignMetrics } from '../../../src/observe/campaign-metrics.js';
import { readCampaignSeries } from '../../../src/observe/count-fields.js';

describe('the cost series', () => {
  it('exports billed units by channel and country, and their cost by the worker’s price table', async () => {
    const registry = new Registry();
    const prices = {
      currency: 'EUR',
      asOf: '2026-01-01',
      source: 's',
      prices: { US: { smsSegment: 0.01, mms: 0.05 } },
    };
    const fill = registerCampaignMetrics(registry, prices);
    const series = readCampaignSeries({
      'queued:sms': 4,
      'sent-units:sms:US': 6,
      'sent-units:mms:US': 2,
      'sent-units:sms:DE': 1,
    });
    expect(series.sentUnits).toEqual(
      expect.arrayContaining([
        { channel: 'sms', country: 'US', value: 6 },
        { channel: 'mms', country: 'US', value: 2 },
        { channel: 'sms', country: 'DE', value: 1 },
      ]),
    );
    fill([{ campaign: 'c1' as CampaignName, series, senders: [], lanes: [] }]);
    const text = await registry.metrics();
    expect(text).toContain('herald_sent_units_total{campaign="c1",channel="sms",country="US"} 6');
    expect(text).toContain('herald_sent_units_total{campaign="c1",channel="sms",country="DE"} 1');
    // 6 × 0.01 + 2 × 0.05; Germany has no price and is left out.
    expect(text).toMatch(/herald_cost_estimate\{campaign="c1",currency="EUR"\} 0\.16\d*\n/);
    fill([]);
    expect(await registry.metrics()).not.toContain('campaign="c1"');
  });
});
