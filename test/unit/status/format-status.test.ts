import { describe, expect, it } from '@jest/globals';

import type { CampaignName, CampaignSpec } from '../../../src/domain/campaign.js';
import type { HoldOn } from '../../../src/domain/hold.js';
import type { PriceTable } from '../../../src/estimate/price-table.js';
import type { IngestState } from '../../../src/ingest/ingest-lease.js';
import type { CampaignState } from '../../../src/queue/campaign-store.js';
import { buildStatusView, formatStatusLine, type StatusView } from '../../../src/status/format-status.js';
import type { StatusSnapshot } from '../../../src/status/read-status.js';
import { formatStatusBlock } from '../../../src/status/status-block.js';
import { describeStatusNotes } from '../../../src/status/status-notes.js';

const NOW = Date.UTC(2026, 10, 23, 8, 0, 0);
const PRICES: PriceTable = {
  currency: 'USD',
  asOf: '2026-11-01',
  source: 'test table',
  prices: { US: { smsSegment: 0.01, mms: 0.02 } },
};
const ALIVE = { alive: 2, lastSeenAt: NOW - 1000, at: NOW };

function snapshot(
  state: CampaignState,
  counts: Record<string, number>,
  extra: Partial<StatusSnapshot> & { spec?: Partial<CampaignSpec>; startAt?: string } = {},
): StatusSnapshot {
  const { spec, startAt, ...rest } = extra;
  return {
    at: NOW,
    record: {
      spec: { name: 'c1' as CampaignName, ...spec } as CampaignSpec,
      state,
      ingest: 'done',
      createdAt: '2026-11-23T07:00:00.000Z',
      ...(startAt === undefined ? {} : { startAt }),
    },
    counts,
    ingest: { state: 'done' },
    senders: [
      { senderId: 'p14155550100', limitMps: 1 },
      { senderId: 's12345', limitMps: 100 },
    ],
    workers: ALIVE,
    ...rest,
  };
}

const view = (snap: StatusSnapshot, rate?: number): StatusView => buildStatusView(snap, rate, PRICES);
const halted: HoldOn = {
  subject: 'p14155550100',
  level: 'sender',
  hold: { state: 'halted', code: '21606', reason: 'From is not a valid message-capable number', since: NOW - 60_000 },
};

describe('herald status: the headline', () => {
  it('shows the totals, rate against the combined limit and the ETA', () => {
    const shown = view(
      snapshot('running', { queued: 100, sent: 40, delivered: 30, failed: 10, unknown: 0, rejected: 2 }),
      2.5,
    );
    expect(shown).toMatchObject({
      settled: 50,
      pending: 50,
      ratePerSecond: 2.5,
      limitPerSecond: 101,
      etaSeconds: 20,
      sending: true,
      notSending: null,
    });
    expect(formatStatusLine(shown)).toBe(
      'c1: running — queued 100, sent 40, delivered 30, failed 10, unknown 0, pending 50, rejected at ingest 2 | ' +
        '2.5/s of 101/s limit, ETA 20 s',
    );
  });

  it('shows a state it does not know of by name and counts it settled', () => {
    const shown = view(snapshot('cancelled', { queued: 10, sent: 4, failed: 0, unknown: 0, cancelled: 6 }));
    expect(shown).toMatchObject({ counts: { cancelled: 6 }, pending: 0, etaSeconds: 0, ratePerSecond: null });
    expect(formatStatusLine(shown)).toContain('unknown 0, cancelled 6, pending 0');
  });

  it('has no ETA while nothing has been measured', () => {
    const shown = view(snapshot('running', { queued: 10, sent: 0, failed: 0, unknown: 0 }));
    expect(formatStatusLine(shown)).toMatch(/\| — of 101\/s limit, ETA —$/);
  });

  it.each([
    [{ alive: 0, lastSeenAt: NOW - 40_000, at: NOW }, 'no worker has been seen for 40 s'],
    [{ alive: 0, lastSeenAt: undefined, at: NOW }, 'no worker has ever been seen'],
  ])('never says running while no worker is alive: %j', (workers, reason) => {
    const shown = view(snapshot('running', { queued: 10, sent: 2 }, { workers }), 1);
    expect(shown).toMatchObject({ state: 'running', sending: false, notSending: reason, etaSeconds: null });
    expect(formatStatusLine(shown)).toMatch(new RegExp(`^c1: not sending: ${reason} — queued 10,`));
    expect(formatStatusLine(shown)).not.toMatch(/running/);
  });

  it('says so when every sender of the campaign is on hold, or when everyone left waits for their window', () => {
    const senders = [{ senderId: 'p14155550100', limitMps: 1, hold: halted }];
    expect(view(snapshot('running', { queued: 10 }, { senders })).notSending).toBe('its sender is on hold');
    const waits = { recipients: 10, firstAt: NOW + 3_600_000, lastAt: NOW + 7_200_000 };
    expect(view(snapshot('running', { queued: 10 }, { windowWaits: waits })).notSending).toBe(
      'every recipient left waits for their sending window',
    );
    // One sender of two still sends, and some recipients are inside their window: running.
    const oneHeld = [
      { senderId: 'p14155550100', limitMps: 1, hold: halted },
      { senderId: 's12345', limitMps: 100 },
    ];
    const partly = view(
      snapshot('running', { queued: 10 }, { senders: oneHeld, windowWaits: { ...waits, recipients: 4 } }),
    );
    expect(partly).toMatchObject({ sending: true, notSending: null });
  });

  it('warns of a scheduled campaign that no worker will start, and says nothing of a finished one', () => {
    const workers = { alive: 0, lastSeenAt: undefined, at: NOW };
    const scheduled = view(snapshot('scheduled', { queued: 5 }, { workers, startAt: '2026-11-23T10:00:00.000Z' }));
    expect(formatStatusLine(scheduled)).toMatch(/^c1: scheduled, but no worker has ever been seen — /);
    const finished = view(snapshot('finished', { queued: 5, sent: 5 }, { workers }));
    expect(finished).toMatchObject({ notSending: null, etaSeconds: 0 });
    expect(formatStatusLine(finished)).toMatch(/^c1: finished — /);
  });
});

describe('herald status: the notes', () => {
  it('names the workers, the start of a scheduled campaign, holds with what to do, and the cost so far', () => {
    const account: HoldOn = {
      subject: 'account',
      level: 'account',
      hold: { ...halted.hold, code: '20003', reason: 'Authenticate' },
    };
    const paused: HoldOn = {
      subject: 'acme',
      level: 'brand',
      hold: {
        state: 'held',
        code: '30027',
        reason: 'T-Mobile daily cap',
        since: NOW,
        until: Date.UTC(2026, 10, 24, 0, 0),
      },
    };
    const own: HoldOn = { ...halted, subject: 'p14155550102' };
    const notes = describeStatusNotes(
      view(
        snapshot(
          'scheduled',
          { queued: 10, 'sent-units:sms:US': 12, 'sent-units:mms:US': 2, 'sent-units:sms:FR': 3 },
          {
            startAt: '2026-11-23T10:30:00.000Z',
            senders: [
              { senderId: 'p14155550100', limitMps: 1, hold: account },
              { senderId: 'p14155550101', limitMps: 1, hold: paused },
              { senderId: 'p14155550102', limitMps: 1, hold: own },
            ],
          },
        ),
      ),
      'Europe/Paris',
    );
    expect(notes).toEqual([
      '  workers   2 workers alive',
      '  starts    2026-11-23 11:30 Europe/Paris (in 2 h 30 min)',
      '  on hold   all sending (the account): halted since 2026-11-23 08:59 Europe/Paris (20003 Authenticate); once fixed: herald senders resume --account',
      '  on hold   group acme: held until 2026-11-24 01:00 Europe/Paris (30027 T-Mobile daily cap); sends again by itself',
      '  on hold   p14155550102: halted since 2026-11-23 08:59 Europe/Paris (21606 From is not a valid message-capable number); once fixed: herald senders resume p14155550102',
      '  rules     marketing: US quiet hours and the frequency cap apply',
      // 12 US segments × 0.01 + 2 US MMS × 0.02; France is not in the table.
      '  cost      USD 0.1600 so far, and 3 not in the price table (estimated from: test table, as of 2026-11-01)',
    ]);
  });

  it('says how many wait for their sending window, until when in their zone and in the operator’s', () => {
    const windowWaits = { recipients: 120, firstAt: Date.UTC(2026, 10, 23, 14), lastAt: Date.UTC(2026, 10, 23, 17) };
    const spec = { window: { start: 9 * 60, end: 20 * 60 } };
    const notes = describeStatusNotes(
      view(snapshot('running', { queued: 200 }, { spec, windowWaits })),
      'Europe/Paris',
    );
    expect(notes).toContain(
      "  window    09:00-20:00 in each recipient's own time; 120 recipients wait for it, until 09:00 their time: " +
        '2026-11-23 15:00 to 18:00 Europe/Paris',
    );
  });

  it('reads window waits due a few ms either side of one opening as that opening', () => {
    // Workers delay by Redis's clock, which theirs may trail or lead by a few ms.
    const opening = Date.UTC(2026, 10, 23, 14);
    const windowWaits = { recipients: 3, firstAt: opening - 2, lastAt: opening + 3 };
    const spec = { window: { start: 9 * 60, end: 20 * 60 } };
    const notes = describeStatusNotes(view(snapshot('running', { queued: 5 }, { spec, windowWaits })), 'UTC');
    expect(notes).toContain(
      "  window    09:00-20:00 in each recipient's own time; 3 recipients wait for it, until 09:00 their time: " +
        '2026-11-23 14:00 UTC',
    );
  });

  it('says which rules the campaign meets and how many recipients they hold back now, by reason', () => {
    const held = { 'quiet-hours': 40, 'frequency-cap': 2 };
    const marketing = view(snapshot('running', { queued: 50 }, { held }));
    expect(marketing).toMatchObject({ kind: 'marketing', held, notSending: null });
    expect(describeStatusNotes(marketing, 'UTC')).toContain(
      '  rules     marketing: US quiet hours and the frequency cap apply; held now: 40 by quiet hours, 2 by the frequency cap',
    );
    // Everyone left held: running, but nothing can be sent now, and status says why.
    expect(view(snapshot('running', { queued: 42 }, { held })).notSending).toBe(
      'every recipient left is held by quiet hours or the frequency cap',
    );
    const transactional = view(snapshot('running', { queued: 5 }, { spec: { transactional: true } }));
    expect(transactional.kind).toBe('transactional');
    expect(describeStatusNotes(transactional, 'UTC')).toContain(
      '  rules     transactional: no quiet hours, no frequency cap',
    );
  });

  it('says where and why the reading of the file stopped, and how to finish it', () => {
    const stopped: IngestState = {
      state: 'stopped',
      file: 'spring.csv',
      line: 1496,
      reason: 'its herald send ended (process 4242 on host-a)',
    };
    const shown = view(snapshot('running', { queued: 10, sent: 10 }, { ingest: stopped }));
    expect(shown).toMatchObject({
      ingest: 'stopped',
      ingestStopped: { file: 'spring.csv', line: 1496, reason: 'its herald send ended (process 4242 on host-a)' },
    });
    expect(describeStatusNotes(shown, 'UTC')).toContain(
      '  file      ingest stopped before the end of spring.csv (read to line 1,496 at least): its herald send ended ' +
        '(process 4242 on host-a); run the same herald send again to finish it',
    );
    const reading = view(
      snapshot('running', { queued: 10 }, { ingest: { state: 'running', file: 'spring.csv', line: 9 } }),
    );
    expect([reading.ingest, reading.ingestStopped]).toEqual(['running', null]);
    expect(describeStatusNotes(reading, 'UTC').join('\n')).not.toContain('ingest stopped');
  });

  it('tells of no worker, with what to do, and leaves the workers out once the campaign has ended', () => {
    const workers = { alive: 0, lastSeenAt: NOW - 40_000, at: NOW };
    expect(describeStatusNotes(view(snapshot('running', { queued: 3 }, { workers })), 'UTC')).toEqual([
      '  workers   none alive: no worker has been seen for 40 s; start one: herald worker',
      '  rules     marketing: US quiet hours and the frequency cap apply',
    ]);
    expect(describeStatusNotes(view(snapshot('finished', { queued: 3, sent: 3 }, { workers })), 'UTC')).toEqual([]);
  });
});

describe('herald status on an 80-column terminal', () => {
  it('fits every line and never cuts a number or a word', () => {
    const big = {
      queued: 12_345_678,
      sent: 11_111_111,
      delivered: 10_000_000,
      undelivered: 1_111_111,
      failed: 222_222,
      unknown: 33,
      cancelled: 0,
      rejected: 4444,
      'sent-units:sms:US': 11_111_111,
    };
    const shown = view(
      snapshot('running', big, {
        spec: { window: { start: 9 * 60, end: 20 * 60 } },
        windowWaits: { recipients: 1_000_000, firstAt: NOW + 3_600_000, lastAt: NOW + 9_000_000 },
        senders: [
          { senderId: 'p14155550100', limitMps: 1, hold: halted },
          { senderId: 's12345', limitMps: 100 },
        ],
      }),
      812.4,
    );
    const lines = formatStatusBlock(shown, 'America/Argentina/Buenos_Aires', {
      width: 79,
      bar: (room) => `  [${'#'.repeat(room - 4)}]`,
    });
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(79);
    const text = lines.join(' ').replace(/\s+/g, ' ');
    for (const number of ['12345678', '11111111', '10000000', '1111111', '222222', '4444', '1000000', '812.4'])
      expect(text).toContain(number);
    expect(lines[0]).toBe('c1: running');
    expect(lines[1]).toMatch(/^ {2}\[#+\]$/);
  });
});
