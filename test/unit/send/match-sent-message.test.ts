import { describe, expect, it } from '@jest/globals';

import {
  CLOCK_TOLERANCE_MS,
  decideReconciliation,
  type ExpectedMessage,
  type ListedMessage,
} from '../../../src/send/match-sent-message.js';

const STARTED = Date.parse('2026-11-23T10:00:00Z');
const EXPECTED: ExpectedMessage = {
  to: '+14155550123',
  from: '+14155550100',
  body: 'Hi Ann',
  attemptStartedAt: STARTED,
};

function listed(overrides: Partial<ListedMessage> = {}): ListedMessage {
  return {
    sid: `SM${'a'.repeat(32)}`,
    to: '+14155550123',
    from: '+14155550100',
    messagingServiceSid: null,
    body: 'Hi Ann',
    dateCreated: new Date(STARTED + 200),
    ...overrides,
  };
}

describe('decideReconciliation', () => {
  it('found: the recipient was sent, with that SID', () => {
    expect(decideReconciliation(EXPECTED, { ok: true, messages: [listed()] })).toEqual({
      kind: 'sent',
      sid: `SM${'a'.repeat(32)}`,
      matches: 1,
    });
  });

  it.each<[string, Partial<ListedMessage>]>([
    ['another recipient', { to: '+14155550999' }],
    ['another sender', { from: '+14155550101' }],
    ['another body', { body: 'Hi Bob' }],
    ['created well before the attempt began', { dateCreated: new Date(STARTED - CLOCK_TOLERANCE_MS - 1000) }],
  ])('not the attempt’s message: %s', (_case, overrides) => {
    expect(decideReconciliation(EXPECTED, { ok: true, messages: [listed(overrides)] })).toEqual({ kind: 'not-found' });
  });

  it('tolerates clocks that disagree by less than the tolerance', () => {
    const early = listed({ dateCreated: new Date(STARTED - CLOCK_TOLERANCE_MS + 1000) });
    expect(decideReconciliation(EXPECTED, { ok: true, messages: [early] })).toMatchObject({ kind: 'sent' });
  });

  it('several matches: the oldest (the list is newest first) and how many there were', () => {
    const newer = listed({ sid: `SM${'b'.repeat(32)}`, dateCreated: new Date(STARTED + 900) });
    expect(decideReconciliation(EXPECTED, { ok: true, messages: [newer, listed()] })).toEqual({
      kind: 'sent',
      sid: `SM${'a'.repeat(32)}`,
      matches: 2,
    });
  });

  it('a Messaging Service send matches on the service, whatever number it picked', () => {
    const expected: ExpectedMessage = {
      to: '+14155550123',
      messagingServiceSid: `MG${'c'.repeat(32)}`,
      attemptStartedAt: STARTED,
    };
    const message = listed({
      from: '+14155550777',
      messagingServiceSid: `MG${'c'.repeat(32)}`,
      body: 'rendered template',
    });
    expect(decideReconciliation(expected, { ok: true, messages: [message] })).toMatchObject({ kind: 'sent' });
  });

  it('an empty list is not-found, never "not sent"', () => {
    expect(decideReconciliation(EXPECTED, { ok: true, messages: [] })).toEqual({ kind: 'not-found' });
  });

  it('a list that could not be read settles nothing', () => {
    expect(decideReconciliation(EXPECTED, { ok: false, reason: 'HTTP 503' })).toEqual({
      kind: 'lookup-failed',
      reason: 'HTTP 503',
    });
  });
});
