import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { dryRun } from '../../../src/estimate/dry-run.js';
import { EXAMPLE_PRICES } from '../../../src/estimate/price-table.js';
import { testSpec } from '../../helpers/campaign.js';

describe('dryRun', () => {
  it('finds repeated numbers as the ledger would: a repeat on the same sender, a refusal on another', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'herald-dry-')), 'r.csv');
    writeFileSync(
      path,
      [
        'phone,name,channel,image',
        '+14155551000,Ann,sms,',
        '+14155551001,Bo,whatsapp,',
        // SMS and MMS go through the same pool of numbers, so the same sender: sent once, as a repeat.
        '+14155551000,Ann,mms,https://example.com/a.png',
        '(415) 555-1000,Ann,sms,',
        // WhatsApp's sender is another: the same person would be texted twice.
        '+14155551000,Ann,whatsapp,',
        '+14155551001,Bo,sms,',
        '+14155551001,Bo,whatsapp,',
      ].join('\n'),
    );
    const rejected: [number, string][] = [];
    const result = await dryRun({
      file: path,
      spec: testSpec({
        campaign: 'dry',
        from: ['+14155550100', '+14155550101', 'whatsapp:+14155238886'],
        body: 'Hi {{name}}',
        media: ['{{image}}'],
        defaultCountry: 'US',
      }),
      prices: EXAMPLE_PRICES,
      samples: 0,
      onRejected: (line, reason) => rejected.push([line, reason]),
    });
    expect(result).toMatchObject({ rows: 7, messages: 2, repeated: 3, rejected: 2 });
    expect(rejected).toEqual([
      [6, 'recipient already in this campaign on another channel'],
      [7, 'recipient already in this campaign on another channel'],
    ]);
  });
});
