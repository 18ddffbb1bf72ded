import { describe, expect, it } from '@jest/globals';

import { describeHold, parseHold } from '../../../src/domain/hold.js';

const NOW = Date.parse('2026-11-23T10:00:00Z');

describe('parseHold', () => {
  it('reads a halt, whatever the time', () => {
    const json = JSON.stringify({ state: 'halted', code: '21212', reason: 'invalid From number', since: NOW });
    expect(parseHold(json, NOW + 1e9)).toEqual({
      state: 'halted',
      code: '21212',
      reason: 'invalid From number',
      since: NOW,
    });
  });

  it('reads a hold until a time that has not come, and none once it has: the link sends again by itself', () => {
    const json = JSON.stringify({ state: 'held', code: 'daily-cap', reason: 'cap', since: NOW, until: NOW + 1 });
    expect(parseHold(json, NOW)).toMatchObject({ state: 'held', until: NOW + 1 });
    expect(parseHold(json, NOW + 1)).toBeUndefined();
  });

  it.each([null, undefined, '', 'not json', '{"state":"paused","until":1e15}', '{"state":"held","until":"soon"}'])(
    'reads %j as no hold',
    (json) => expect(parseHold(json, NOW)).toBeUndefined(),
  );
});

describe('describeHold', () => {
  it('says when a hold ends, or what an operator must run', () => {
    const held = {
      state: 'held',
      code: '30027',
      reason: 'T-Mobile daily limit',
      since: NOW,
      until: NOW + 3_600_000,
    } as const;
    expect(describeHold(held, 'group acme', 'herald groups resume acme')).toBe(
      'group acme held until 2026-11-23T11:00:00.000Z: 30027 T-Mobile daily limit; sends again by itself',
    );
    const halted = { state: 'halted', code: '21606', reason: 'not ours', since: NOW } as const;
    expect(describeHold(halted, 'sender p1', 'herald senders resume p1')).toMatch(
      /^sender p1 halted: 21606 not ours; .* runs `herald senders resume p1`$/,
    );
  });
});
