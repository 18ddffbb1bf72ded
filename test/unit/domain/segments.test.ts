import { describe, expect, it } from '@jest/globals';

import { countSegments, MAX_BODY_LENGTH } from '../../../src/domain/segments.js';

const a = (count: number): string => 'a'.repeat(count);

describe('countSegments', () => {
  it.each([
    ['empty body', '', 'GSM-7', 1],
    ['160 GSM-7 characters', a(160), 'GSM-7', 1],
    ['161 GSM-7 characters', a(161), 'GSM-7', 2],
    ['306 GSM-7 characters (2 × 153)', a(306), 'GSM-7', 2],
    ['307 GSM-7 characters', a(307), 'GSM-7', 3],
    ['459 GSM-7 characters (3 × 153)', a(459), 'GSM-7', 3],
    ['1,600 GSM-7 characters', a(MAX_BODY_LENGTH), 'GSM-7', 11],
    ['û is not in the GSM alphabet', 'Ça coûte 5€', 'UCS-2', 1],
    ['basic GSM-7 accents only', 'Ça va? Été: ñ ü ß @ £ $ ¥ § ¿ ¡ Ø å Æ', 'GSM-7', 1],
    ['80 extension chars (160 septets)', '€'.repeat(80), 'GSM-7', 1],
    ['81 extension chars (162 septets)', '€'.repeat(81), 'GSM-7', 2],
    ['159 chars + one extension char (161 septets)', a(159) + '{', 'GSM-7', 2],
    ['every extension char counts double', '{}[]~|^\\€'.repeat(8) + a(16), 'GSM-7', 1],
    ['every extension char counts double, one over', '{}[]~|^\\€'.repeat(8) + a(17), 'GSM-7', 2],
    // 306 septets would fit 2 × 153, but the escape pair at septets 153–154 cannot straddle two parts.
    ['escape pair at a part boundary is not split', a(152) + '€' + a(152), 'GSM-7', 3],
    ['70 UCS-2 characters', a(69) + '’', 'UCS-2', 1],
    ['71 UCS-2 characters', a(70) + '’', 'UCS-2', 2],
    ['134 UCS-2 code units (2 × 67)', a(133) + 'ł', 'UCS-2', 2],
    ['135 UCS-2 code units', a(134) + 'ł', 'UCS-2', 3],
    ['one emoji in 69 characters (70 code units)', a(68) + '😀', 'UCS-2', 1],
    ['one emoji in 70 characters (71 code units)', a(69) + '😀', 'UCS-2', 2],
    // 134 code units would fit 2 × 67, but the surrogate pair at units 67–68 cannot straddle two parts.
    ['surrogate pair at a part boundary is not split', a(66) + '😀' + a(66), 'UCS-2', 3],
    ['a lone surrogate is one code unit', a(69) + '\ud83d', 'UCS-2', 1],
    ['a lone surrogate at a part boundary', a(66) + '\ud83d' + a(68), 'UCS-2', 3],
    ['extension chars count once in UCS-2', '€'.repeat(69) + 'ł', 'UCS-2', 1],
  ])('%s', (_name, body, encoding, segments) => {
    const count = countSegments(body);
    expect({ encoding: count.encoding, segments: count.segments }).toEqual({ encoding, segments });
  });

  it('lists the characters that force UCS-2 once each, in order of first appearance', () => {
    expect(countSegments('Hi 😀 “you” 😀 ł').ucs2Chars).toEqual(['😀', '“', '”', 'ł']);
  });

  it('lists no characters for GSM-7', () => {
    expect(countSegments('Hello {name} €5').ucs2Chars).toEqual([]);
  });
});
