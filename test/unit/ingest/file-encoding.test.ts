import { describe, expect, it } from '@jest/globals';

import {
  chooseEncoding,
  completeUtf8Length,
  findInvalidUtf8,
  guessEncoding,
  guessUtf16,
} from '../../../src/ingest/file-encoding.js';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('completeUtf8Length', () => {
  it.each([
    ['ASCII', bytes(0x61, 0x62), 2],
    ['a whole é', bytes(0x61, 0xc3, 0xa9), 3],
    ['é cut after its lead byte', bytes(0x61, 0xc3), 1],
    ['€ cut after two of three bytes', bytes(0x61, 0xe2, 0x82), 1],
    ['an emoji cut after three of four bytes', bytes(0xf0, 0x9f, 0x98), 0],
    ['a whole emoji', bytes(0xf0, 0x9f, 0x98, 0x80), 4],
    ['a lone Windows-1252 é, left to be reported', bytes(0x4a, 0xe9), 1],
    ['nothing', bytes(), 0],
  ])('%s', (_what, input, expected) => {
    expect(completeUtf8Length(input)).toBe(expected);
  });
});

describe('findInvalidUtf8', () => {
  it.each([
    ['valid text', Buffer.from('José € 😀'), -1],
    ['a Windows-1252 é', bytes(0x4a, 0x6f, 0x73, 0xe9, 0x2c), 3],
    ['a stray continuation byte', bytes(0x61, 0x80), 1],
    ['an overlong slash', bytes(0x61, 0xc0, 0xaf), 1],
    ['a UTF-16 surrogate encoded as UTF-8', bytes(0xed, 0xa0, 0x80), 0],
    ['a code point past U+10FFFF', bytes(0xf4, 0x90, 0x80, 0x80), 0],
    ['a character cut by the end', bytes(0x61, 0xe2, 0x82), 1],
  ])('%s', (_what, input, expected) => {
    expect(findInvalidUtf8(input)).toBe(expected);
    expect(Buffer.from(input).toString('utf8').includes('\uFFFD')).toBe(expected >= 0);
  });
});

describe('guessEncoding', () => {
  it('names Windows-1252 for letters one at a time, and a multi-byte encoding for runs', () => {
    expect(guessEncoding(Buffer.from('Jos\xe9,Ren\xe9e,Fran\xe7ois', 'latin1'))).toMatch(/Windows-1252/);
    // 山田 太郎 in Shift_JIS.
    expect(guessEncoding(bytes(0x8e, 0x52, 0x93, 0x63, 0x20, 0x91, 0xbe, 0x98, 0x59))).toMatch(/Shift_JIS/);
  });
});

describe('chooseEncoding and guessUtf16', () => {
  it('takes a BOM, then --encoding, then UTF-8', () => {
    expect(chooseEncoding(bytes(0xff, 0xfe, 0x70, 0), undefined)).toMatchObject({
      ok: true,
      encoding: { kind: 'decoded', name: 'utf-16le' },
    });
    expect(chooseEncoding(bytes(0xef, 0xbb, 0xbf), 'UTF-8')).toMatchObject({ ok: true, encoding: { kind: 'utf-8' } });
    expect(chooseEncoding(bytes(0x70), 'cp1252')).toMatchObject({
      ok: true,
      encoding: { kind: 'decoded', name: 'cp1252' },
    });
    expect(chooseEncoding(bytes(0x70), undefined)).toMatchObject({ ok: true, encoding: { kind: 'utf-8' } });
    expect(chooseEncoding(bytes(0xfe, 0xff), 'utf-16le')).toEqual({
      ok: false,
      reason: 'the file starts with a UTF-16BE byte order mark, but --encoding says utf-16le',
    });
  });

  it('tells UTF-16 without a BOM from binary data', () => {
    expect(guessUtf16(Buffer.from('phone,name\n', 'utf16le'))).toBe('utf-16le');
    expect(guessUtf16(Buffer.from('phone,name\n', 'utf16le').swap16())).toBe('utf-16be');
    expect(guessUtf16(bytes(0x50, 0x4b, 3, 4, 0, 0, 8, 0, 0, 0))).toBeUndefined();
  });
});
