import { describe, expect, it } from '@jest/globals';

import { describeHold, effectiveHold, parseSenderHold, type SenderHold } from '../../../src/domain/sender-hold.js';

const NOW = Date.parse('2026-11-23T10:00:00Z');

describe('parseSenderHold', () => {
  it('reads a halt', () => {
    expect(
      parseSenderHold(
        { state: 'halted', code: '21212', reason: 'invalid From number', since: String(NOW) },
        'sender',
        NOW,
      ),
    ).toEqual({ state: 'halted', scope: 'sender', code: '21212', reason: 'invalid From number', since: NOW });
  });

  it('reads a pause that has not ended', () => {
    const fields = { state: 'paused', code: '63038', reason: 'daily cap', since: String(NOW), until: String(NOW + 1) };
    expect(parseSenderHold(fields, 'sender', NOW)).toMatchObject({ state: 'paused', until: NOW + 1 });
  });

  it('a pause whose time has come is no hold: the sender resumes by itself', () => {
    const fields = { state: 'paused', code: '63038', reason: 'daily cap', since: '0', until: String(NOW) };
    expect(parseSenderHold(fields, 'sender', NOW)).toBeUndefined();
  });

  it('no hash, or an unreadable one, is no hold', () => {
    expect(parseSenderHold({}, 'sender', NOW)).toBeUndefined();
    expect(parseSenderHold({ state: 'paused', until: 'soon' }, 'sender', NOW)).toBeUndefined();
  });
});

describe('effectiveHold', () => {
  const pause = (scope: 'sender' | 'account', until: number): SenderHold => ({
    state: 'paused',
    scope,
    code: '63038',
    reason: 'cap',
    since: NOW,
    until,
  });
  const halt = (scope: 'sender' | 'account'): SenderHold => ({
    state: 'halted',
    scope,
    code: scope === 'account' ? '20003' : '21212',
    reason: 'bad',
    since: NOW,
  });

  it.each<[string, SenderHold | undefined, SenderHold | undefined, SenderHold | undefined]>([
    ['nothing held', undefined, undefined, undefined],
    ['the sender’s own hold', halt('sender'), undefined, halt('sender')],
    ['an account halt outranks a sender pause', pause('sender', NOW + 5), halt('account'), halt('account')],
    ['a sender halt outranks an account pause', halt('sender'), pause('account', NOW + 5), halt('sender')],
    ['of two pauses, the later end', pause('sender', NOW + 5), pause('account', NOW + 9), pause('account', NOW + 9)],
  ])('%s', (_case, sender, account, expected) => {
    expect(effectiveHold(sender, account)).toEqual(expected);
  });
});

describe('describeHold', () => {
  it('tells the operator how to resume a halted sender', () => {
    const hold: SenderHold = {
      state: 'halted',
      scope: 'sender',
      code: '21212',
      reason: 'invalid From number',
      since: NOW,
    };
    expect(describeHold(hold, 'p15005550001')).toBe(
      'sender p15005550001 halted: 21212 invalid From number; its recipients stay queued until an operator fixes this and runs `herald senders resume p15005550001`',
    );
  });

  it('says when a pause ends', () => {
    const hold: SenderHold = {
      state: 'paused',
      scope: 'sender',
      code: '63038',
      reason: 'daily message limit reached (63038)',
      since: NOW,
      until: NOW + 3_600_000,
    };
    expect(describeHold(hold, 'p14155550100')).toMatch(
      /^sender p14155550100 paused until 2026-11-23T11:00:00.000Z: 63038/,
    );
  });
});
