import { describe, expect, it } from '@jest/globals';

import { campaignJson, formatCampaignTable } from '../../../src/cli/format-campaigns.js';
import type { CampaignSummary } from '../../../src/queue/campaign-store.js';
import { testSpec } from '../../helpers/campaign.js';

const summary = (name: string, extra: Partial<CampaignSummary>): CampaignSummary => ({
  spec: testSpec({ campaign: name, from: ['+14155550100', '+14155550101'], body: 'Hi', window: '09:00-20:00' }),
  state: 'running',
  ingest: 'done',
  createdAt: '2026-11-23T08:46:43.634Z',
  counts: { queued: 1200, sent: 1187, failed: 11, unknown: 2, cancelled: 0 },
  ...extra,
});

describe('formatCampaignTable', () => {
  it('aligns one row per campaign under a header, numbers to the right', () => {
    const table = formatCampaignTable([
      summary('spring-sale', {
        state: 'finished',
        startedAt: '2026-11-23T08:46:44.738Z',
        finishedAt: '2026-11-23T09:07:02.000Z',
      }),
      summary('black-friday', {
        spec: testSpec({
          campaign: 'black-friday',
          from: ['+14155550100', '+14155550101'],
          body: 'Sale',
          transactional: false,
        }),
        state: 'scheduled',
        startAt: '2026-11-27T14:00:00.000Z',
        counts: { queued: 5, sent: 0, failed: 0, unknown: 0, cancelled: 0 },
      }),
    ]);
    expect(table).toBe(
      [
        'CAMPAIGN      STATE                        KIND           CHANNEL  SENDERS  QUEUED  SENT  FAILED  UNKNOWN  CANCELLED  CREATED            STARTED            FINISHED',
        'spring-sale   finished                     transactional  per row        2    1200  1187      11        2          0  2026-11-23 08:46Z  2026-11-23 08:46Z  2026-11-23 09:07Z',
        'black-friday  scheduled 2026-11-27 14:00Z  marketing      per row        2       5     0       0        0          0  2026-11-23 08:46Z  -                  -',
        '',
      ].join('\n'),
    );
  });

  it('says how to make a campaign when there is none', () => {
    expect(formatCampaignTable([])).toMatch(/^no campaigns yet/);
  });
});

describe('campaignJson', () => {
  it('names senders as given and the window as written, and carries the counts', () => {
    expect(campaignJson(summary('spring-sale', {}))).toMatchObject({
      name: 'spring-sale',
      state: 'running',
      senders: [{ sender: '+14155550100' }, { sender: '+14155550101' }],
      window: '09:00-20:00',
      kind: 'transactional',
      counts: { queued: 1200, sent: 1187 },
    });
  });
});
