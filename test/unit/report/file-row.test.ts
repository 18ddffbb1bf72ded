import { describe, expect, it } from '@jest/globals';

import type { RecipientDetail } from '../../../src/store/recipient-detail.js';
import { listFileReportColumns, formatFileRow } from '../../../src/report/file-row.js';
import { REPORT_COLUMNS } from '../../../src/report/report-row.js';

const COLUMNS = ['phone', 'name', 'status'];
const detail = (line: number): RecipientDetail => ({
  line,
  senderId: 'p14155550100',
  channel: 'sms',
  attempts: 1,
  queuedAt: 0,
  settledAt: 1000,
  vars: {},
});
const sent = (line: number) => ({
  entry: { to: '+14155551000', state: 'sent' as const, sid: 'SM1' },
  detail: detail(line),
  receipt: undefined,
});
const planned = {
  kind: 'planned' as const,
  to: '+14155551000',
  channel: 'sms' as const,
  pending: undefined,
  optedOut: false,
};

describe('herald report --file rows', () => {
  it('puts the file’s columns after the report’s, renaming those the report already uses', () => {
    expect(listFileReportColumns(COLUMNS)).toEqual([...REPORT_COLUMNS, 'phone', 'name', 'file_status']);
  });

  it('gives the row its recipient’s outcome and its own columns', () => {
    const row = formatFileRow(
      { ...planned, line: 4, fields: ['(415) 555-1000', 'Ann', 'vip'], recipient: sent(4) },
      COLUMNS,
    );
    expect(row).toMatchObject({
      line: '4',
      status: 'sent',
      sid: 'SM1',
      phone: '(415) 555-1000',
      name: 'Ann',
      file_status: 'vip',
    });
  });

  it('says a refused row was rejected, and why, with the number as written', () => {
    const row = formatFileRow(
      {
        kind: 'refused',
        line: 9,
        fields: ['555-0199', 'Nobody'],
        number: '555-0199',
        reason: 'invalid number: 555-0199',
      },
      COLUMNS,
    );
    expect(row).toMatchObject({
      line: '9',
      number: '555-0199',
      status: 'rejected',
      error_reason: 'invalid number: 555-0199',
      sid: '',
      name: 'Nobody',
      file_status: '',
    });
  });

  it('points a repeated number at the line that holds its outcome, or says the ingest refused it on another channel', () => {
    const repeat = formatFileRow({ ...planned, line: 12, fields: [], recipient: sent(4) }, COLUMNS);
    expect(repeat).toMatchObject({
      line: '12',
      status: 'repeated',
      sid: '',
      error_reason: expect.stringMatching(/line 4/),
    });
    const otherChannel = formatFileRow(
      { ...planned, channel: 'whatsapp', line: 12, fields: [], recipient: sent(4) },
      COLUMNS,
    );
    expect(otherChannel).toMatchObject({
      status: 'rejected',
      error_reason: 'recipient already in this campaign on another channel (line 4)',
    });
  });

  it('tells an opted-out number from a row that was never queued', () => {
    expect(
      formatFileRow({ ...planned, line: 3, fields: [], recipient: undefined, optedOut: true }, COLUMNS),
    ).toMatchObject({
      status: 'rejected',
      error_reason: 'recipient opted out (replied STOP to an earlier message)',
    });
    expect(formatFileRow({ ...planned, line: 3, fields: [], recipient: undefined }, COLUMNS)).toMatchObject({
      status: 'not-queued',
      number: '+14155551000',
      channel: 'sms',
    });
  });
});
