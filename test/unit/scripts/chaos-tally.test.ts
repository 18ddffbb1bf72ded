import { describe, expect, it } from '@jest/globals';

import { tallyChaos } from '../../../scripts/chaos/tally.js';
import type { RecipientState } from '../../../src/store/ledger-state.js';

const sid = (n: number) => `SM${String(n).padStart(32, '0')}`;
const accepted = (to: string, n: number) => ({ params: { To: to }, sid: sid(n) });
const refused = (to: string) => ({ params: { To: to } });

describe('tallyChaos', () => {
  it('counts by what the sandbox accepted, and uses the ledger only to say why one was not', () => {
    const recipients = ['+1', '+2', '+3', '+4', '+5', '+6', '+7', '+8'];
    const requests = [
      refused('+1'),
      refused('+8'),
      accepted('+1', 1),
      accepted('+2', 2),
      accepted('+2', 3),
      accepted('+6', 6),
      accepted('+7', 7),
    ];
    const ledger = new Map<string, RecipientState>([
      ['+1', { state: 'sent', sid: sid(1) }],
      ['+2', { state: 'sent', sid: sid(2) }],
      ['+3', { state: 'failed', code: '21211' }],
      ['+4', { state: 'unknown', reason: 'interrupted' }],
      ['+5', { state: 'in-flight', since: 123, token: 'token', written: true }],
      ['+6', { state: 'unknown', reason: 'lookup-failed' }],
      ['+7', { state: 'sent', sid: sid(99) }],
      ['+8', { state: 'unknown', reason: 'interrupted' }],
    ]);
    expect(tallyChaos(recipients, requests, ledger)).toEqual({
      recipients: 8,
      sentOnce: 3,
      sentTwice: 1,
      neverSent: 1,
      failed: { '21211': 1 },
      unknown: 2,
      unknownReasons: { interrupted: 2 },
      // +8's request reached Twilio, which refused it; +4 never sent one.
      unknownNeverArrived: 1,
      unknownButSent: 1,
      unknownButSentReasons: { 'lookup-failed': 1 },
      wrongSid: 1,
    });
  });
});
