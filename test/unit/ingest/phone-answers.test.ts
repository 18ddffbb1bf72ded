import { describe, expect, it } from '@jest/globals';

import { type CountryCode, parsePhone } from '../../../src/domain/e164.js';
import { canCrossThreads, checkJoinedPhones, joinPhones, readPhoneAnswers } from '../../../src/ingest/phone-answers.js';

/** Numbers as people type them, valid and not, national and international, with stray text and spacing. */
const PHONES = [
  '+14155550100',
  '(415) 555-0100',
  '  415.555.0100  ',
  '(416) 555-0100',
  '+44 7400 123456',
  '07400 123456',
  '+61 412 345 678',
  '0151 23456789',
  '+1 555 555 5555',
  '+1212123',
  '',
  '   ',
  'hello',
  '12',
  '+999 1234 5678',
  'tel: +1 415 555 0100',
  '+1 (212) 555-0100 ext. 12',
  '+12125550100,',
  'ＡＢＣ',
  '+1\r212 555 0100',
  '4.15556E+09',
];

describe('checking a joined phone column', () => {
  it.each<[CountryCode | undefined]>([[undefined], ['US'], ['GB']])(
    'answers exactly what parsePhone answers for each number, in order (default country %s)',
    (defaultCountry) => {
      const answers = readPhoneAnswers(checkJoinedPhones(joinPhones(PHONES), defaultCountry));
      expect(answers).toEqual(PHONES.map((phone) => parsePhone(phone, defaultCountry)));
      expect(answers.filter((answer) => answer.ok).length).toBeGreaterThan(3);
      expect(answers.filter((answer) => !answer.ok).length).toBeGreaterThan(3);
    },
  );

  it('answers a single empty value as one refusal', () => {
    expect(readPhoneAnswers(checkJoinedPhones(joinPhones(['']), 'US'))).toEqual([parsePhone('', 'US')]);
  });

  it('keeps a value with a newline off the joined column, as it would split in two', () => {
    expect(canCrossThreads('+1 415\n555 0100')).toBe(false);
    expect(canCrossThreads('+1 415\r555 0100')).toBe(true);
    expect(canCrossThreads('+14155550100')).toBe(true);
  });
});
