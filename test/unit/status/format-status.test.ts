import { describe, expect, it } from '@jest/globals';

import type { CampaignName, CampaignSpec } from '../../../src/domain/campaign.js';
import { buildStatusView, formatStatusLine } from '../../../src/status/format-status.js';
import type { IngestState } from '../../../src/ingest/ingest-lease.js';
import type { StatusSnapshot } from '../../../src/status/read-status.js';

function snapshot(
  state: 'running' | 'cancelled',
  counts: Record<string, number>,
  ingest: IngestState = { state: 'done' },
): StatusSnapshot {
  return {
    ingest,
    at: 0,
    record: {
      spec: { name: 'c1' as CampaignName } as CampaignSpec,
      state,
      ingest: 'done',
      createdAt: '2026-11-23T08:00:00.000Z',
    },
    counts,
    senders: [
      { senderId: 'p14155550100', limitMps: 1 },
      { senderId: 's12345', limitMps: 100 },
    ],
  };
}

describe('herald status output', () => {
  it('shows the totals, rate against the combined limit and the ETA', () => {
    const view = buildStatusView(
      snapshot('running', { queued: 100, sent: 40, delivered: 30, failed: 10, unknown: 0, rejected: 2 }),
      2.5,
    );
    expect(view).toMatchObject({ settled: 50, pending: 50, ratePerSecond: 2.5, limitPerSecond: 101, etaSeconds: 20 });
    expect(formatStatusLine(view)).toBe(
      'c1: running — queued 100, sent 40, delivered 30, failed 10, unknown 0, pending 50, rejected at ingest 2 | ' +
        '2.5/s of 101/s limit, ETA 20 s',
    );
  });

  it('shows a state it does not know of by name and counts it settled', () => {
    const view = buildStatusView(
      snapshot('cancelled', { queued: 10, sent: 4, failed: 0, unknown: 0, cancelled: 6 }),
      undefined,
    );
    expect(view).toMatchObject({ counts: { cancelled: 6 }, pending: 0, etaSeconds: 0, ratePerSecond: null });
    expect(formatStatusLine(view)).toContain('unknown 0, cancelled 6, pending 0');
  });

  it('says where and why the reading of the file stopped, and how to finish it', () => {
    const stopped: IngestState = {
      state: 'stopped',
      file: 'spring.csv',
      line: 1496,
      reason: 'its herald send ended (process 4242 on host-a)',
    };
    const view = buildStatusView(snapshot('running', { queued: 10, sent: 10, failed: 0, unknown: 0 }, stopped), 0);
    expect(view).toMatchObject({
      ingest: 'stopped',
      ingestStopped: { file: 'spring.csv', line: 1496, reason: 'its herald send ended (process 4242 on host-a)' },
    });
    expect(formatStatusLine(view)).toMatch(
      /pending 0, .* \| ingest stopped before the end of spring\.csv \(read to line 1,496 at least\): its herald send ended \(process 4242 on host-a\); run the same herald send again to finish it$/,
    );
    const reading = buildStatusView(
      snapshot('running', { queued: 10 }, { state: 'running', file: 'spring.csv', line: 9 }),
      0,
    );
    expect([reading.ingest, reading.ingestStopped, formatStatusLine(reading)]).toEqual([
      'running',
      null,
      expect.not.stringContaining('ingest stopped'),
    ]);
  });

  it('has no ETA while nothing has been measured', () => {
    const view = buildStatusView(snapshot('running', { queued: 10, sent: 0, failed: 0, unknown: 0 }), undefined);
    expect(formatStatusLine(view)).toMatch(/\| — of 101\/s limit, ETA —$/);
  });
});
