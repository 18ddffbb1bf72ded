import { describe, expect, it } from '@jest/globals';

import { decodeDetail, encodeDetail, type RecipientDetail } from '../../../src/store/recipient-detail.js';

const detail: RecipientDetail = {
  line: 42,
  senderId: 'p14155550100',
  channel: 'sms',
  attempts: 2,
  queuedAt: 1_790_000_000_000,
  settledAt: 1_790_000_001_500,
  vars: { first_name: 'Zoë', code: 'A "quoted" value' },
};

describe('a settled recipient’s stored detail', () => {
  it('reads back what was written', () => {
    expect(decodeDetail(encodeDetail(detail))).toEqual(detail);
  });

  it('stays compact: field names are not repeated per recipient', () => {
    expect(encodeDetail({ ...detail, vars: {} })).toBe('[1,42,"p14155550100","sms",2,1790000000000,1790000001500,{}]');
  });

  it.each([
    ['not JSON', '{'],
    ['another version', '[2,42,"p1","sms",2,1,2,{}]'],
    ['a wrong channel', '[1,42,"p1","fax",2,1,2,{}]'],
    ['a non-string variable', '[1,42,"p1","sms",2,1,2,{"a":1}]'],
    ['missing fields', '[1,42,"p1","sms"]'],
  ])('refuses %s', (_what, text) => {
    expect(decodeDetail(text)).toBeUndefined();
  });
});
