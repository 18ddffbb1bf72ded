import { describe, expect, it } from '@jest/globals';

import { formatIngestSummary } from '../../../src/cli/format-summary.js';
import type { IngestSummary } from '../../../src/ingest/run-ingest.js';
import { describeSending, type SendingOutlook } from '../../../src/status/sending-outlook.js';

const NOW = Date.UTC(2026, 10, 23, 8);
const outlook = (alive: number, lastSeenAt: number | undefined, held = 0): SendingOutlook => ({
  workers: { alive, lastSeenAt, at: NOW },
  held,
  senders: 2,
});

describe('who sends what herald send queued', () => {
  it('says workers are sending it only when one is alive and a sender is free', () => {
    expect(describeSending('c1', outlook(2, NOW), 'UTC')).toBe('2 workers are sending it: herald status c1');
    expect(describeSending('c1', outlook(1, NOW), 'UTC')).toBe('1 worker is sending it: herald status c1');
    expect(describeSending('c1', outlook(0, NOW - 40_000), 'UTC')).toBe(
      'not sending: no worker has been seen for 40 s: start one (herald worker) to send it; then herald status c1',
    );
    expect(describeSending('c1', outlook(0, undefined), 'UTC')).toBe(
      'not sending: no worker has ever been seen: start one (herald worker) to send it; then herald status c1',
    );
    expect(describeSending('c1', outlook(3, NOW, 2), 'UTC')).toBe(
      'not sending: all 2 of its senders are on hold (see herald senders); herald status c1',
    );
    expect(describeSending('c1', outlook(3, NOW, 1), 'UTC')).toBe('3 workers are sending it: herald status c1');
    expect(describeSending('c1', outlook(1, NOW), 'UTC', undefined, { start: 540, end: 1200 })).toBe(
      '1 worker is sending it, to each recipient between 09:00-20:00 their time: herald status c1',
    );
  });

  it('gives a scheduled start in the operator’s zone, with a warning when no worker will be there', () => {
    const start = Date.UTC(2026, 10, 27, 14);
    expect(describeSending('c1', outlook(1, NOW), 'America/New_York', start)).toBe(
      'scheduled: workers start sending it at 2026-11-27 09:00 America/New_York; herald status c1',
    );
    expect(describeSending('c1', outlook(0, undefined), 'UTC', start)).toBe(
      'scheduled: workers start sending it at 2026-11-27 14:00 UTC, but no worker has ever been seen: start one ' +
        '(herald worker) before then; herald status c1',
    );
  });
});

describe('the summary of herald send', () => {
  const summary = (extra: Partial<IngestSummary>): IngestSummary => ({
    rows: 1,
    queued: 1,
    rejected: 0,
    alreadyInCampaign: 0,
    byChannel: { sms: 1 },
    bySender: { p14155550100: 1 },
    smsSegments: 1,
    rejectedPath: undefined,
    finished: false,
    ...extra,
  });

  it('says 1 row and 1 segment, and calls a repeated number repeated, as the dry run does', () => {
    expect(formatIngestSummary('c1', summary({ alreadyInCampaign: 1 }), 'SENDING')).toBe(
      [
        'campaign c1: 1 row read',
        '  queued    1 (sms 1); SMS in 1 segment',
        '  repeated  1 (already in the campaign: a number given again, or queued by an earlier run; sent once)',
        '  rejected  0',
        '  senders   p14155550100 1',
        '  SENDING',
        '',
      ].join('\n'),
    );
    expect(formatIngestSummary('c1', summary({ rows: 3, smsSegments: 4, finished: true }), 'SENDING')).toMatch(
      /^campaign c1: 3 rows read\n.*SMS in 4 segments\n[^]*nothing left to send: the campaign is finished\n$/,
    );
  });
});
