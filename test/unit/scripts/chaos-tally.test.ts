import { describe, expect, it } from '@jest/globals';

import { tallyChaos } from '../../../scripts/chaos/tally.js';

const sid = (n: number) => `SM${String(n).padStart(32, '0')}`;
const accepted = (to: string, n: number) => ({ params: { To: to }, sid: sid(n) });
const refused = (to: string) => ({ params: { To: to } });

describe('tallyChaos', () => {
  it('counts by what the sandbox accepted, and uses the ledger only to say why one was not', () => {
    const recipients = ['+1', '+2', '+3', '+4', '+5', '+6', '+7'];
    const requests = [
      refused('+1'),
      accepted('+1', 1),
      accepted('+2', 2),
      accepted('+2', 3),
      accepted('+6', 6),
      accepted('+7', 7),
    ];
    const ledger = new Map([
      ['+1', `s:${sid(1)}`],
      ['+2', `s:${sid(2)}`],
      ['+3', 'f:21211'],
      ['+4', 'u:interrupted'],
      ['+5', 'i:123:token'],
      ['+6', 'u:lookup-failed'],
      ['+7', `s:${sid(99)}`],
    ]);
    expect(tallyChaos(recipients, requests, ledger)).toEqual({
      recipients: 7,
      sentOnce: 3,
      sentTwice: 1,
      neverSent: 1,
      failed: { '21211': 1 },
      unknown: 1,
      unknownReasons: { interrupted: 1 },
      unknownButSent: 1,
      unknownButSentReasons: { 'lookup-failed': 1 },
      wrongSid: 1,
    });
  });
});
