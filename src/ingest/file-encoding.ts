import iconv from 'iconv-lite';

/*
 * How a recipient file's bytes become text. Pure: the file is read in read-csv.ts and utf8-check.ts.
 */

/** The encoding a file is read in: UTF-8 unless a byte order mark or `--encoding` says otherwise. */
export type FileEncoding = { kind: 'utf-8' } | { kind: 'decoded'; name: string };

export type EncodingChoice = { ok: true; encoding: FileEncoding } | { ok: false; reason: string };

type BomEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** Whether iconv-lite (which decodes every encoding but UTF-8) knows `name`, e.g. `windows-1252`, `latin1`. */
export function isKnownEncoding(name: string): boolean {
  return iconv.encodingExists(name);
}

/**
 * The encoding to read a file in, from its first bytes and the user's `--encoding`. A byte order mark is certain,
 * so one that disagrees with `--encoding` refuses the file rather than guess which of the two is wrong.
 */
export function chooseEncoding(head: Uint8Array, given: string | undefined): EncodingChoice {
  const bom = detectBom(head);
  if (bom !== undefined && given !== undefined && canonical(given) !== canonical(bom)) {
    return {
      ok: false,
      reason: `the file starts with a ${bom.toUpperCase()} byte order mark, but --encoding says ${given}`,
    };
  }
  const name = bom ?? given;
  if (name === undefined || canonical(name) === 'utf8') return { ok: true, encoding: { kind: 'utf-8' } };
  return { ok: true, encoding: { kind: 'decoded', name } };
}

/** Whether NUL bytes are ordinary text in this encoding (UTF-16 and UTF-32 have them in every ASCII character). */
export function hasNulCharacters(encoding: FileEncoding): boolean {
  return encoding.kind === 'decoded' && /^(utf16|utf32|ucs2|ucs4)/.test(canonical(encoding.name));
}

/** The file's first bytes as text, for finding its delimiter; a character cut off at the end may be garbled. */
export function decodeHead(head: Uint8Array, encoding: FileEncoding): string {
  const text =
    encoding.kind === 'utf-8'
      ? Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('utf8')
      : iconv.decode(head, encoding.name);
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

/**
 * Which UTF-16 a file without a byte order mark seems to be in, from its first bytes: a NUL beside every ASCII
 * character, always on the same side. Undefined when its NUL bytes look like binary data (a spreadsheet, an archive).
 */
export function guessUtf16(head: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  let even = 0;
  let odd = 0;
  for (let index = 0; index < head.length; index++) {
    if (head[index] !== 0) continue;
    if (index % 2 === 0) even += 1;
    else odd += 1;
  }
  const pairs = Math.floor(head.length / 2);
  if (even === 0 && odd > pairs * 0.3) return 'utf-16le';
  if (odd === 0 && even > pairs * 0.3) return 'utf-16be';
  return undefined;
}

/**
 * The likely encoding of bytes that are not UTF-8, for the message that refuses them. Text in a single-byte
 * encoding has a few non-ASCII letters among ASCII ones ("Jos\xE9"); in the double-byte encodings of Chinese,
 * Japanese and Korean most letters are non-ASCII. Windows-1252 is named for the first kind: it is what Excel on
 * Windows writes for "CSV", and it reads Latin-1 (ISO-8859-1) text the same.
 */
export function guessEncoding(sample: Uint8Array): string {
  let high = 0;
  let letters = 0;
  for (const byte of sample) {
    if (byte >= 0x80) high += 1;
    else if ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7a) letters += 1;
  }
  if (high > (high + letters) * 0.3) {
    return 'perhaps a multi-byte encoding such as Shift_JIS, GBK or EUC-KR: pass --encoding with its name';
  }
  return 'likely Windows-1252 (Excel’s “CSV” on Windows) or Latin-1: pass --encoding windows-1252';
}

/**
 * How many of `bytes` make whole UTF-8 characters: a character cut at the end of a chunk is left for the next.
 * Bytes that are no UTF-8 at all count as whole, so that the check reports them instead of carrying them.
 */
export function completeUtf8Length(bytes: Uint8Array): number {
  const end = bytes.length;
  // A character is at most 4 bytes: look back over at most 3 continuation bytes (10xxxxxx) for its lead.
  for (let back = 1; back <= Math.min(4, end); back++) {
    const byte = bytes[end - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? end - back : end;
  }
  return end;
}

/**
 * The offset of the first byte that is not part of valid UTF-8 (as the WHATWG decoder reads it: no overlong forms,
 * surrogates or code points past U+10FFFF), or -1. Runs only once a file is known to be invalid, to say where.
 */
export function findInvalidUtf8(bytes: Uint8Array): number {
  let at = 0;
  while (at < bytes.length) {
    const lead = bytes[at]!;
    if (lead < 0x80) {
      at += 1;
      continue;
    }
    const rule = UTF8_LEADS.find(([first, last]) => lead >= first && lead <= last);
    if (rule === undefined) return at;
    const [, , length, low, high] = rule;
    for (let next = 1; next < length; next++) {
      const byte = bytes[at + next];
      const [min, max] = next === 1 ? [low, high] : [0x80, 0xbf];
      if (byte === undefined || byte < min || byte > max) return at;
    }
    at += length;
  }
  return -1;
}

/** Lead bytes of multi-byte UTF-8: their range, the character's length and the range of its second byte. */
const UTF8_LEADS: readonly (readonly [first: number, last: number, length: number, low: number, high: number])[] = [
  [0xc2, 0xdf, 2, 0x80, 0xbf],
  [0xe0, 0xe0, 3, 0xa0, 0xbf],
  [0xe1, 0xec, 3, 0x80, 0xbf],
  [0xed, 0xed, 3, 0x80, 0x9f],
  [0xee, 0xef, 3, 0x80, 0xbf],
  [0xf0, 0xf0, 4, 0x90, 0xbf],
  [0xf1, 0xf3, 4, 0x80, 0xbf],
  [0xf4, 0xf4, 4, 0x80, 0x8f],
];

function detectBom(head: Uint8Array): BomEncoding | undefined {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return undefined;
}

function canonical(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}
