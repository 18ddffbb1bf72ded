import { describe, expect, it } from '@jest/globals';

import type { RecipientRecord } from '../../../src/report/ledger-pages.js';
import type { RecipientDetail } from '../../../src/store/recipient-detail.js';
import { formatReportRow, REPORT_COLUMNS } from '../../../src/report/report-row.js';

const detail: RecipientDetail = {
  line: 7,
  senderId: 'p14155550100',
  channel: 'sms',
  attempts: 1,
  queuedAt: Date.parse('2026-11-23T08:00:00.000Z'),
  settledAt: Date.parse('2026-11-23T08:00:02.500Z'),
  vars: { name: 'Ann' },
};

describe('a report row', () => {
  it('has every column, in order', () => {
    const row = formatReportRow({
      entry: { to: '+14155551000', state: 'sent', sid: 'SM1' },
      detail,
      receipt: undefined,
    });
    expect(Object.keys(row)).toEqual([...REPORT_COLUMNS]);
  });

  it.each<[string, RecipientRecord, Record<string, string>]>([
    [
      'sent and delivered',
      {
        entry: { to: '+14155551000', state: 'sent', sid: 'SM1' },
        detail,
        receipt: { status: 'delivered', code: 'none', sid: 'SM1' },
      },
      {
        line: '7',
        status: 'sent',
        sid: 'SM1',
        sent_at: '2026-11-23T08:00:02.500Z',
        settled_at: '2026-11-23T08:00:02.500Z',
        queued_at: '2026-11-23T08:00:00.000Z',
        receipt_status: 'delivered',
        receipt_error_code: '',
        resendable: 'no',
      },
    ],
    [
      'sent, then undelivered to an unreachable handset',
      {
        entry: { to: '+14155551000', state: 'sent', sid: 'SM1' },
        detail,
        receipt: { status: 'undelivered', code: '30003', sid: 'SM1' },
      },
      {
        status: 'sent',
        error_code: '',
        error_reason: '',
        receipt_error_code: '30003',
        receipt_error_reason: 'unreachable handset (off or out of coverage)',
        resendable: 'yes',
      },
    ],
    [
      'opted out',
      { entry: { to: '+14155551000', state: 'failed', code: '21610' }, detail, receipt: undefined },
      { status: 'failed', sid: '', sent_at: '', error_code: '21610', resendable: 'no', attempts: '1' },
    ],
    [
      'given up after 503s',
      { entry: { to: '+14155551000', state: 'failed', code: '20503' }, detail, receipt: undefined },
      { error_code: '20503', resendable: 'yes' },
    ],
    [
      'unknown',
      { entry: { to: '+14155551000', state: 'unknown', reason: 'no-answer' }, detail, receipt: undefined },
      { error_code: 'no-answer', resendable: 'no' },
    ],
    [
      'requeued by resend-failed (its earlier settle time is not shown)',
      { entry: { to: '+14155551000', state: 'queued', senderId: 'p14155550100' }, detail, receipt: undefined },
      { status: 'queued', line: '7', settled_at: '', sent_at: '', resendable: '' },
    ],
  ])('%s', (_what, record, expected) => {
    expect(formatReportRow(record)).toMatchObject({ number: '+14155551000', ...expected });
  });

  it('never puts a receipt’s error in the send’s columns', () => {
    const filtered = formatReportRow({
      entry: { to: '+14155551000', state: 'sent', sid: 'SM1' },
      detail,
      receipt: { status: 'undelivered', code: '30007', sid: 'SM1' },
    });
    expect(filtered).toMatchObject({ status: 'sent', error_code: '', error_reason: '', receipt_error_code: '30007' });
    expect(filtered.receipt_error_reason).toMatch(/filtered/);
  });

  it('takes a pending recipient’s line and sender from its job', () => {
    const row = formatReportRow(
      {
        entry: { to: '+14155551000', state: 'in-flight', since: 0, token: '+14155551000/1', written: true },
        detail: undefined,
        receipt: undefined,
      },
      { line: 9, senderId: 'p14155550101', channel: 'mms', queuedAt: 0, attempts: 1 },
    );
    expect(row).toMatchObject({
      line: '9',
      sender: 'p14155550101',
      channel: 'mms',
      status: 'in-flight',
      error_reason: 'in flight since 1970-01-01T00:00:00.000Z',
    });
  });
});
