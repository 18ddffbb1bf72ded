import { describe, expect, it } from '@jest/globals';

import { readCampaignSeries } from '../../../src/observe/count-fields.js';

describe('readCampaignSeries', () => {
  it('gives every queued channel every total, 0 until it moves, and nothing to channels never queued', () => {
    const series = readCampaignSeries({
      queued: 3,
      'queued:sms': 3,
      sent: 1,
      'sent:sms': 1,
      rejected: 2,
      cancelled: 1,
    });
    expect(series.queued).toEqual([{ channel: 'sms', value: 3 }]);
    expect(series.sent).toEqual([{ channel: 'sms', value: 1 }]);
    expect(series.delivered).toEqual([{ channel: 'sms', value: 0 }]);
    expect(series.failed).toEqual([{ channel: 'sms', code: '', reason: '', value: 0 }]);
    expect(series.rejected).toBe(2);
    expect(series.cancelled).toBe(1);
  });

  it('splits failures and undelivered receipts by code, so that they still sum to the total', () => {
    const series = readCampaignSeries({
      'queued:sms': 5,
      'queued:whatsapp': 2,
      'failed:sms': 3,
      'failed:sms:21610': 2,
      'failed:sms:invalid-content': 1,
      'undelivered:whatsapp': 1,
      'undelivered:whatsapp:63016': 1,
    });
    expect(series.failed).toEqual([
      { channel: 'sms', code: '21610', reason: 'recipient', value: 2 },
      { channel: 'sms', code: 'invalid-content', reason: 'content', value: 1 },
      { channel: 'sms', code: '', reason: '', value: 0 },
      { channel: 'whatsapp', code: '', reason: '', value: 0 },
    ]);
    expect(series.undelivered.filter((entry) => entry.value > 0)).toEqual([
      { channel: 'whatsapp', code: '63016', reason: 'content', value: 1 },
    ]);
  });

  it('counts recipients that resend-failed moved out of a total, so that no series goes down', () => {
    // Counts after resend-failed moved recipients back to queued: a 30008 failure now only exists as its twin.
    const series = readCampaignSeries({
      'queued:sms': 5,
      'sent:sms': 2,
      'requeued:sent:sms': 1,
      'failed:sms': 2,
      'requeued:failed:sms': 2,
      'failed:sms:21610': 2,
      'requeued:failed:sms:21610': 1,
      'failed:sms:30008': 0,
      'requeued:failed:sms:30008': 1,
      'undelivered:sms': 0,
      'requeued:undelivered:sms': 1,
      'requeued:undelivered:sms:30003': 1,
    });
    expect(series.sent).toEqual([{ channel: 'sms', value: 3 }]);
    expect(series.failed).toEqual([
      { channel: 'sms', code: '21610', reason: 'recipient', value: 3 },
      { channel: 'sms', code: '30008', reason: expect.any(String), value: 1 },
      { channel: 'sms', code: '', reason: '', value: 0 },
    ]);
    expect(series.undelivered).toContainEqual({ channel: 'sms', code: '30003', reason: expect.any(String), value: 1 });
    expect(series.undelivered).toContainEqual({ channel: 'sms', code: '', reason: '', value: 0 });
  });
});
