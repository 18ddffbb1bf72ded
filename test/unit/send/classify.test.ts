import { describe, expect, it } from '@jest/globals';

import { classifyFailure, type FailureOutcome } from '../../../src/send/classify.js';
import { RequestNotSentError } from '../../../src/send/request-not-sent.js';

/** What the SDK throws: a RestException carries the HTTP status and Twilio's code. */
function restException(status: number, code?: number, message = 'Twilio says no'): Error {
  return Object.assign(new Error(message), { status, ...(code === undefined ? {} : { code }) });
}
function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code}`), { code });
}

describe('classifyFailure', () => {
  it.each<[string, unknown, Partial<FailureOutcome>]>([
    ['20429 too many requests: throttle the sender', restException(429, 20429), { kind: 'throttle', code: 20429 }],
    ['a 429 without a code: throttle the sender', restException(429), { kind: 'throttle', code: 20429 }],
    [
      '63038 daily cap, also HTTP 429: pauses the sender, told apart by its code',
      restException(429, 63038),
      { kind: 'pause-sender', code: 63038 },
    ],
    ['21611 sender queue full: throttle the sender', restException(400, 21611), { kind: 'throttle', code: 21611 }],
    ['HTTP 503 with no code: retry', restException(503), { kind: 'retry', reason: 'HTTP 503' }],
    ['HTTP 500: retry', restException(500, 20500), { kind: 'retry' }],
    ['21211 invalid To: fails the recipient', restException(400, 21211), { kind: 'failed', code: '21211' }],
    ['21614 not mobile', restException(400, 21614), { kind: 'failed', code: '21614' }],
    ['21612 unroutable', restException(400, 21612), { kind: 'failed', code: '21612' }],
    ['21408 region not permitted', restException(400, 21408), { kind: 'failed', code: '21408' }],
    ['21610 opted out', restException(400, 21610), { kind: 'failed', code: '21610' }],
    ['21617 body too long', restException(400, 21617), { kind: 'failed', code: '21617' }],
    ['21212 bad From: halts the sender', restException(400, 21212), { kind: 'halt', code: '21212', scope: 'sender' }],
    [
      '21606 From cannot send: halts the sender',
      restException(400, 21606),
      { kind: 'halt', code: '21606', scope: 'sender' },
    ],
    [
      '20003 credentials: halts the whole account',
      restException(401, 20003),
      { kind: 'halt', code: '20003', scope: 'account' },
    ],
    ['an unknown 4xx code fails with that code', restException(400, 21999), { kind: 'failed', code: '21999' }],
    ['a 404 without a code', restException(404), { kind: 'failed', code: 'http-404' }],
    ['connection refused: nothing was sent, retry', socketError('ECONNREFUSED'), { kind: 'retry' }],
    [
      'the connection failed before the request was written: nothing was sent, retry',
      new RequestNotSentError(new Error('socket hang up'), 'its connection could not be opened'),
      { kind: 'retry' },
    ],
    ['DNS failure: nothing was sent, retry', socketError('ENOTFOUND'), { kind: 'retry' }],
    [
      'a not-sent error from another realm reads the same by its code: retry',
      Object.assign(new Error('the request was not sent: its connection could not be opened (socket hang up)'), {
        code: 'ENOTSENT',
      }),
      { kind: 'retry', reason: 'the request was not sent: its connection could not be opened (socket hang up)' },
    ],
    ['connection reset: may have reached Twilio', socketError('ECONNRESET'), { kind: 'unknown' }],
    ['timeout: may have reached Twilio', socketError('ECONNABORTED'), { kind: 'unknown' }],
    ['anything else is unknown, never retried blindly', new TypeError('boom'), { kind: 'unknown' }],
    ['a thrown non-error', 'weird', { kind: 'unknown' }],
  ])('%s', (_case, error, expected) => {
    expect(classifyFailure(error)).toMatchObject(expected);
  });

  it('carries a Retry-After the transport read from the response', () => {
    expect(classifyFailure(restException(429, 20429), { retryAfterMs: 3000 })).toEqual({
      kind: 'throttle',
      reason: expect.any(String),
      code: 20429,
      retryAfterMs: 3000,
    });
  });

  describe('the daily cap (63038) pauses the sender until a time', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');

    it('until the Retry-After when Twilio gives one', () => {
      expect(classifyFailure(restException(429, 63038), { retryAfterMs: 90_000, now })).toEqual({
        kind: 'pause-sender',
        reason: 'daily message limit reached (63038)',
        code: 63038,
        until: now + 90_000,
      });
    });

    it('else a full rolling day from the refusal, the only wait known to be long enough', () => {
      expect(classifyFailure(restException(429, 63038), { now })).toMatchObject({
        until: Date.parse('2026-11-24T10:00:00Z'),
      });
    });

    it('or the configured pause', () => {
      expect(classifyFailure(restException(429, 63038), { now, dailyCapPauseMs: 5000 })).toMatchObject({
        until: now + 5000,
      });
    });
  });
});
