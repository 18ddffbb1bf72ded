import { describe, expect, it } from '@jest/globals';

import type { CampaignName, CampaignSpec } from '../../../src/domain/campaign.js';
import type { E164 } from '../../../src/domain/e164.js';
import { parseSender } from '../../../src/domain/sender.js';
import { findReplaceRefusal } from '../../../src/lifecycle/replace-campaign.js';
import { formatTestSend, type TestOutcome } from '../../../src/lifecycle/test-send.js';
import type { CampaignRecord } from '../../../src/queue/campaign-store.js';

const record = (extra: Partial<CampaignRecord>): CampaignRecord => ({
  spec: { name: 'c1' as CampaignName } as CampaignSpec,
  state: 'scheduled',
  ingest: 'done',
  createdAt: '2026-11-23T08:00:00.000Z',
  ...extra,
});

describe('changing a campaign before it starts', () => {
  it('is allowed until a send has begun, whatever the state says', () => {
    expect(findReplaceRefusal(record({}), 'UTC')).toBeUndefined();
    expect(findReplaceRefusal(record({ state: 'paused' }), 'UTC')).toBeUndefined();
    expect(findReplaceRefusal(record({ state: 'running' }), 'UTC')).toBeUndefined();
    expect(
      findReplaceRefusal(record({ state: 'running', startedAt: '2026-11-23T09:00:00.000Z' }), 'Europe/Paris'),
    ).toBe(
      'campaign c1 began sending at 2026-11-23 10:00 Europe/Paris; it cannot be changed any more: use a new --campaign name',
    );
    expect(findReplaceRefusal(record({ state: 'cancelled' }), 'UTC')).toMatch(/is cancelled; it cannot be changed/);
    expect(findReplaceRefusal(record({ ingest: 'running' }), 'UTC')).toMatch(/still being read/);
  });
});

describe('the test send’s output', () => {
  it('says where each message went instead of its recipient, and what Twilio answered', () => {
    const parsed = parseSender('+14155550100');
    if (!parsed.ok) throw new Error(parsed.reason);
    const message = {
      line: 3,
      recipient: '+14155558001' as E164,
      sender: parsed.sender,
      content: { channel: 'mms' as const, body: 'Hi Ann', mediaUrls: ['https://e.x/a.png'] },
    };
    const outcomes: TestOutcome[] = [
      { to: '+14155550901' as E164, message, sent: true, sid: 'MM1' },
      { to: '+447700900001' as E164, message, sent: false, reason: '21612 The To phone number is not reachable' },
    ];
    expect(formatTestSend('c1', outcomes)).toBe(
      [
        'test send of campaign c1: nothing was queued; the campaign is untouched',
        '  line 3 → +14155550901 (in place of +14155558001) from +14155550100, mms: sent MM1',
        '      Hi Ann',
        '      media https://e.x/a.png',
        '  line 3 → +447700900001 (in place of +14155558001) from +14155550100, mms: failed: 21612 The To phone number is not reachable',
        '      Hi Ann',
        '      media https://e.x/a.png',
        '',
      ].join('\n'),
    );
    expect(formatTestSend('c1', [])).toContain('no row of the file can be sent');
  });
});
