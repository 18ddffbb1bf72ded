import { describe, expect, it } from '@jest/globals';

import { priceSentUnits, readSentUnits, nameSentUnitsField } from '../../../src/observe/sent-units.js';

describe('billed units in a campaign’s counters', () => {
  it('names a field per channel and country, and reads them back as volumes to price', () => {
    expect(nameSentUnitsField('sms', 'US')).toBe('sent-units:sms:US');
    expect(nameSentUnitsField('whatsapp', undefined)).toBe('sent-units:whatsapp:??');
    const counts = { sent: 9, 'sent:sms': 7, 'sent-units:sms:US': 12, 'sent-units:mms:CA': 2, 'sent-units:fax:US': 5 };
    expect(readSentUnits(counts)).toEqual({
      'US|sms': { messages: 0, segments: 12, paceCost: 12 },
      'CA|mms': { messages: 2, segments: 0, paceCost: 2 },
    });
  });

  it('prices SMS per segment and the rest per message, and counts what the table has no price for', () => {
    const table = { currency: 'EUR', asOf: '2026-01-01', source: 's', prices: { US: { smsSegment: 0.5, mms: 2 } } };
    const { estimate, unpricedUnits } = priceSentUnits(
      { 'sent-units:sms:US': 3, 'sent-units:mms:US': 1, 'sent-units:whatsapp:US': 4, 'sent-units:sms:??': 2 },
      table,
    );
    expect(estimate.total).toBe(3.5);
    expect(unpricedUnits).toBe(6);
  });
});
