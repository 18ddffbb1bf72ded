import { describe, expect, it } from '@jest/globals';

import {
  encodeRecipientState,
  isFinalState,
  parseRecipientState,
  type RecipientState,
} from '../../../src/store/ledger-state.js';

describe('the ledger state codec', () => {
  it.each<[string, RecipientState]>([
    ['q:p14155550100', { state: 'queued', senderId: 'p14155550100' }],
    [
      'in:1733500000000:+14155550123/1',
      { state: 'in-flight', since: 1733500000000, token: '+14155550123/1', written: false },
    ],
    [
      'i:1733500000000:+14155550123/1',
      { state: 'in-flight', since: 1733500000000, token: '+14155550123/1', written: true },
    ],
    ['s:SM0123', { state: 'sent', sid: 'SM0123' }],
    ['f:21211', { state: 'failed', code: '21211' }],
    ['u:interrupted', { state: 'unknown', reason: 'interrupted' }],
    ['c:cancelled', { state: 'cancelled' }],
  ])('%s', (value, state) => {
    expect(parseRecipientState(value)).toEqual(state);
    expect(encodeRecipientState(state)).toBe(value);
  });

  it('reads an in-flight mark as written unless it says it is not, whatever its token holds', () => {
    expect(parseRecipientState('i:5:a:b')).toEqual({ state: 'in-flight', since: 5, token: 'a:b', written: true });
    expect(parseRecipientState('in:5:n:b')).toEqual({ state: 'in-flight', since: 5, token: 'n:b', written: false });
    expect(parseRecipientState('i:5:in:b')).toEqual({ state: 'in-flight', since: 5, token: 'in:b', written: true });
  });

  it('both in-flight forms are of the kind the Lua scripts compare (the first letter), and neither is final', () => {
    const unwritten = encodeRecipientState({ state: 'in-flight', since: 1, token: 't', written: false });
    const written = encodeRecipientState({ state: 'in-flight', since: 1, token: 't', written: true });
    expect([unwritten[0], written[0]]).toEqual(['i', 'i']);
    expect(isFinalState(parseRecipientState(unwritten))).toBe(false);
    expect(isFinalState(parseRecipientState(written))).toBe(false);
  });
});
