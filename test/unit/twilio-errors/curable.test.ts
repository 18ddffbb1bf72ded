import { describe, expect, it } from '@jest/globals';

import { cureForFailure, cureForUndelivered } from '../../../src/twilio-errors/curable.js';

describe('which failures resend-failed may send again', () => {
  it.each([
    ['transient', true],
    ['20429', true],
    ['20500', true],
    ['20503', true],
    ['21611', true],
    ['63038', true],
    ['63018', true],
    ['21610', false],
    ['21211', false],
    ['21614', false],
    ['21612', false],
    ['20003', false],
    ['invalid-content', false],
    ['http-400', false],
    ['99999', false],
  ])('a create call that failed with %s: curable %s', (code, curable) => {
    expect(cureForFailure(code).curable).toBe(curable);
  });

  it.each([
    ['30003', true],
    ['30008', true],
    ['30001', true],
    ['30004', false],
    ['30005', false],
    ['30006', false],
    ['30007', false],
    ['30410', false],
    ['30022', true],
    ['30027', true],
    ['63018', true],
    ['30034', false],
    ['63016', false],
    ['none', false],
  ])('a message undelivered with %s: curable %s', (code, curable) => {
    expect(cureForUndelivered(code).curable).toBe(curable);
  });

  it('names the reason either way, for the report and the summary', () => {
    expect(cureForFailure('21610')).toEqual({ curable: false, reason: 'recipient opted out (replied STOP)' });
    expect(cureForFailure('http-403')).toEqual({ curable: false, reason: 'refused with HTTP 403' });
    expect(cureForUndelivered('30003').reason).toBe('unreachable handset (off or out of coverage)');
  });

  it('says that a retried or throttled failure outlasted its attempts or its retry window', () => {
    expect(cureForFailure('20503').reason).toBe('Twilio unavailable (HTTP 503) on every attempt');
    expect(cureForFailure('21611').reason).toBe("sender's queue at Twilio is full, still after the retry window");
    expect(cureForUndelivered('30001').reason).toBe('queue overflow');
  });
});
