import { describe, expect, it } from '@jest/globals';
import { matchRoute } from '../../../src/sandbox/route.js';

const AC = `AC${'5'.repeat(32)}`;
const SM = `SM${'6'.repeat(32)}`;

describe('matchRoute', () => {
  it.each([
    [`/2010-04-01/Accounts/${AC}/Messages.json`, { kind: 'messages', accountSid: AC }],
    [`/2010-04-01/Accounts/${AC}/Messages/${SM}.json`, { kind: 'message', accountSid: AC, messageSid: SM }],
    [`/2010-04-01/Accounts/${AC}/Messages/${SM}/Media.json`, { kind: 'media-list', accountSid: AC, messageSid: SM }],
    [
      `/2010-04-01/Accounts/${AC}/Messages/${SM}/Media/ME${'7'.repeat(32)}.json`,
      { kind: 'media', accountSid: AC, messageSid: SM, mediaSid: `ME${'7'.repeat(32)}` },
    ],
    [`/2010-04-01/Accounts/${AC}/Calls.json`, { kind: 'account', accountSid: AC }],
    [`/2010-04-01/Accounts/${AC}/Messages`, { kind: 'account', accountSid: AC }],
    ['/sandbox/requests', { kind: 'sandbox-requests' }],
    ['/sandbox/health', { kind: 'sandbox-health' }],
    ['/sandbox/faults', { kind: 'sandbox-faults' }],
    ['/sandbox/senders', { kind: 'sandbox-senders' }],
    ['/sandbox/callbacks', { kind: 'sandbox-callbacks' }],
    ['/sandbox/other', { kind: 'unknown' }],
    ['/', { kind: 'unknown' }],
    ['/2010-04-01/Accounts', { kind: 'unknown' }],
  ])('%s', (path, route) => {
    expect(matchRoute(path)).toEqual(route);
  });
});
