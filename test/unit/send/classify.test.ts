import { describe, expect, it } from '@jest/globals';

import { classifyFailure, type FailureOutcome } from '../../../src/send/classify.js';
import { RequestNotSentError } from '../../../src/send/dispatch-gate.js';
import type { ErrorAction } from '../../../src/twilio-errors/error-entry.js';
import { TWILIO_ERRORS } from '../../../src/twilio-errors/twilio-errors.js';

/** What the SDK throws: a RestException carries the HTTP status and Twilio's code. */
function restException(status: number, code?: number, message = 'Twilio says no'): Error {
  return Object.assign(new Error(message), { status, ...(code === undefined ? {} : { code }) });
}
function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code}`), { code });
}

const NOW = Date.parse('2026-11-23T10:00:00Z');

describe('classifyFailure', () => {
  it.each<[string, unknown, Partial<FailureOutcome>]>([
    [
      '20429 too many requests: throttle, for the account',
      restException(429, 20429),
      { kind: 'throttle', code: 20429, scope: 'account' },
    ],
    ['a 429 without a code: 20429', restException(429), { kind: 'throttle', code: 20429 }],
    [
      '63038 daily cap, also HTTP 429: pauses, told apart by its code, for the account',
      restException(429, 63038),
      { kind: 'pause-sender', code: 63038, scope: 'account' },
    ],
    ['a 429 with a code herald does not know: retry', restException(429, 29999), { kind: 'retry', code: 29999 }],
    [
      '21611 sender queue full: throttle the sender',
      restException(400, 21611),
      { kind: 'throttle', code: 21611, scope: 'sender' },
    ],
    [
      '30022 carrier rate limit: throttle the 10DLC campaign’s pool',
      restException(400, 30022),
      { kind: 'throttle', code: 30022, scope: 'pool' },
    ],
    [
      '30027 T-Mobile’s daily cap: pause the brand',
      restException(400, 30027),
      { kind: 'pause-sender', code: 30027, scope: 'brand' },
    ],
    [
      '63018 WhatsApp tier: pause the sender',
      restException(429, 63018),
      { kind: 'pause-sender', code: 63018, scope: 'sender' },
    ],
    [
      '63017 account over 2,000 MPS: throttle the account',
      restException(429, 63017),
      { kind: 'throttle', scope: 'account' },
    ],
    ['HTTP 503 with no code: retry', restException(503), { kind: 'retry', reason: 'HTTP 503' }],
    ['HTTP 500: retry', restException(500, 20500), { kind: 'retry', code: 20500 }],
    ['21211 invalid To: fails the recipient', restException(400, 21211), { kind: 'failed', code: '21211' }],
    ['21614 not mobile', restException(400, 21614), { kind: 'failed', code: '21614' }],
    ['21612 unroutable', restException(400, 21612), { kind: 'failed', code: '21612' }],
    ['21408 region not permitted', restException(400, 21408), { kind: 'failed', code: '21408' }],
    [
      '21610 opted out: fails and records the opt-out',
      restException(400, 21610),
      { kind: 'failed', code: '21610', optOut: true },
    ],
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
    [
      '20404 no Messages API at that URL: halts the account rather than fail every recipient',
      restException(404, 20404),
      { kind: 'halt', code: '20404', scope: 'account' },
    ],
    ['an unknown 4xx code fails with that code', restException(400, 21999), { kind: 'failed', code: '21999' }],
    ['a 404 without a code', restException(404), { kind: 'failed', code: 'http-404' }],
    ['connection refused: nothing was sent, retry', socketError('ECONNREFUSED'), { kind: 'retry' }],
    [
      'the dispatch guard failed before the request left: nothing was sent, retry',
      new RequestNotSentError(new Error('CLUSTERDOWN The cluster is down')),
      { kind: 'retry' },
    ],
    ['DNS failure: nothing was sent, retry', socketError('ENOTFOUND'), { kind: 'retry' }],
    [
      'herald’s dispatch gate failed before the request was written: retry',
      Object.assign(new Error('the request was not sent: its dispatch gate failed (Connection is closed.)'), {
        code: 'ENOTSENT',
      }),
      { kind: 'retry', reason: 'the request was not sent: its dispatch gate failed (Connection is closed.)' },
    ],
    ['connection reset: may have reached Twilio', socketError('ECONNRESET'), { kind: 'unknown' }],
    ['timeout: may have reached Twilio', socketError('ECONNABORTED'), { kind: 'unknown' }],
    ['anything else is unknown, never retried blindly', new TypeError('boom'), { kind: 'unknown' }],
    ['a thrown non-error', 'weird', { kind: 'unknown' }],
  ])('%s', (_case, error, expected) => {
    expect(classifyFailure(error, { now: NOW })).toMatchObject(expected);
  });

  it('a code that is not an opt-out never carries the opt-out mark', () => {
    expect(classifyFailure(restException(400, 21211))).not.toHaveProperty('optOut');
  });

  it('carries a Retry-After the transport read from the response', () => {
    expect(classifyFailure(restException(429, 20429), { retryAfterMs: 3000 })).toEqual({
      kind: 'throttle',
      reason: 'too many concurrent requests to Twilio',
      code: 20429,
      scope: 'account',
      retryAfterMs: 3000,
    });
  });

  describe('a cap pauses until a time', () => {
    it('63038: until the Retry-After when Twilio gives one', () => {
      expect(classifyFailure(restException(429, 63038), { retryAfterMs: 90_000, now: NOW })).toEqual({
        kind: 'pause-sender',
        reason: 'daily message limit reached',
        code: 63038,
        scope: 'account',
        until: NOW + 90_000,
      });
    });

    it('63038: else a full rolling day from the refusal, the only wait known to be long enough', () => {
      expect(classifyFailure(restException(429, 63038), { now: NOW })).toMatchObject({
        until: Date.parse('2026-11-24T10:00:00Z'),
      });
    });

    it('63038: or the configured pause', () => {
      expect(classifyFailure(restException(429, 63038), { now: NOW, dailyCapPauseMs: 5000 })).toMatchObject({
        until: NOW + 5000,
      });
    });

    it('30027: until T-Mobile resets the cap, at the next midnight Pacific', () => {
      // 10:00 UTC is 02:00 PST; the next midnight there is 08:00 UTC the next day.
      expect(classifyFailure(restException(400, 30027), { now: NOW })).toMatchObject({
        until: Date.parse('2026-11-24T08:00:00Z'),
      });
    });

    it('60728: an hour', () => {
      expect(classifyFailure(restException(429, 60728), { now: NOW })).toMatchObject({
        kind: 'pause-sender',
        scope: 'account',
        until: NOW + 3_600_000,
      });
    });
  });
});

/** What each of the table's actions becomes in the outcome the processor switches on. */
const OUTCOME_OF_ACTION: Readonly<Record<ErrorAction['kind'], FailureOutcome['kind']>> = {
  retry: 'retry',
  throttle: 'throttle',
  hold: 'pause-sender',
  halt: 'halt',
  fail: 'failed',
  'opt-out': 'failed',
};

describe('classifyFailure over the table of Twilio’s errors', () => {
  const rows = Object.entries(TWILIO_ERRORS).map(([code, entry]) => ({ code: Number(code), entry }));

  it.each(rows.map(({ code, entry }) => [code, entry.action.kind, entry] as const))(
    '%i → %s, with the table’s reason',
    (code, _kind, entry) => {
      // Receipt codes are classified the same way should one ever answer a create call.
      const status = 'status' in entry ? entry.status : 400;
      const outcome = classifyFailure(restException(status, code), { now: NOW });
      expect(outcome.kind).toBe(OUTCOME_OF_ACTION[entry.action.kind]);
      expect(outcome).toMatchObject({ reason: entry.reason });
      expect(String('code' in outcome ? outcome.code : undefined)).toBe(String(code));
      if ('scope' in entry.action) expect(outcome).toMatchObject({ scope: entry.action.scope });
      expect('optOut' in outcome && outcome.optOut).toBe(entry.action.kind === 'opt-out');
    },
  );
});
