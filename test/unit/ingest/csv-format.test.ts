import { describe, expect, it } from '@jest/globals';

import { detectDelimiter, parseCsvFormat } from '../../../src/ingest/csv-format.js';

describe('detectDelimiter', () => {
  it.each([
    ['phone,name,code', ','],
    ['Phone;First Name;Code\n+1,2,3;x;y', ';'],
    ['phone\tname\tnote,with comma', '\t'],
    ['"a;b;c",d,e', ','],
    ['phone', ','],
    ['phone;name,code', ','],
  ])('%j → %j', (head, expected) => {
    expect(detectDelimiter(head)).toBe(expected);
  });
});

describe('parseCsvFormat', () => {
  it('accepts one character, tab, and the encodings iconv-lite knows', () => {
    expect(parseCsvFormat({ delimiter: ';', encoding: 'windows-1252' })).toEqual({
      ok: true,
      format: { delimiter: ';', encoding: 'windows-1252' },
    });
    expect(parseCsvFormat({ delimiter: 'tab' })).toEqual({ ok: true, format: { delimiter: '\t' } });
    expect(parseCsvFormat({ delimiter: '\\t' })).toEqual({ ok: true, format: { delimiter: '\t' } });
    expect(parseCsvFormat({})).toEqual({ ok: true, format: {} });
  });

  it('refuses anything else with one line', () => {
    expect(parseCsvFormat({ delimiter: ';;' })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/one character/),
    });
    expect(parseCsvFormat({ delimiter: '"' })).toMatchObject({ ok: false });
    expect(parseCsvFormat({ encoding: 'klingon' })).toEqual({
      ok: false,
      reason: '--encoding klingon is not an encoding herald knows (e.g. windows-1252, latin1, utf-16le)',
    });
  });
});
