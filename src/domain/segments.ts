import type { SegmentCount } from './channel.js';

/** Twilio rejects a Body longer than this (21617). Counted in UTF-16 code units, as an emoji counts as two. */
export const MAX_BODY_LENGTH = 1600;

// GSM 03.38 default alphabet (without ESC, which no text should contain) and its extension table, whose
// characters are sent as ESC + char and so take two septets. Every GSM character is in the BMP, so one UTF-16
// code unit indexes a table of septet sizes (0: not GSM), which keeps the count allocation-free on the hot path
// (the producer counts every row of a file).
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '\f^{}\\[~]|€';
const GSM_SEPTETS = new Uint8Array(0x10000);
for (const char of GSM_BASIC) GSM_SEPTETS[char.charCodeAt(0)] = 1;
for (const char of GSM_EXTENDED) GSM_SEPTETS[char.charCodeAt(0)] = 2;

const GSM_SINGLE = 160;
const GSM_PART = 153;
const UCS2_SINGLE = 70;
const UCS2_PART = 67;

/**
 * Counts the SMS segments of a body the way carriers and Twilio split it: GSM-7 when every character is in
 * the GSM alphabet (160 septets in one segment, 153 per part of a longer one, never splitting an escape
 * pair), otherwise UCS-2 for the whole body (70 code units, 67 per part, never splitting a surrogate pair).
 */
export function countSegments(body: string): SegmentCount {
  const ucs2Chars: string[] = [];
  let septets = 0;
  for (let index = 0; index < body.length; index++) {
    const size = GSM_SEPTETS[body.charCodeAt(index)] ?? 0;
    septets += size;
    if (size !== 0) continue;
    const char = String.fromCodePoint(body.codePointAt(index) ?? 0);
    if (!ucs2Chars.includes(char)) ucs2Chars.push(char);
    index += char.length - 1;
  }
  if (ucs2Chars.length === 0) {
    const segments = septets <= GSM_SINGLE ? 1 : countParts(body, GSM_PART, (code) => GSM_SEPTETS[code] ?? 0);
    return { encoding: 'GSM-7', segments, ucs2Chars };
  }
  const segments = body.length <= UCS2_SINGLE ? 1 : countParts(body, UCS2_PART, () => 1);
  return { encoding: 'UCS-2', segments, ucs2Chars };
}

/**
 * Packs a longer body into parts of `part` units, a character never straddling two parts. `unitsOf` gives the
 * size of a BMP character; a surrogate pair is always one character of two units.
 */
function countParts(body: string, part: number, unitsOf: (code: number) => number): number {
  let parts = 1;
  let used = 0;
  for (let index = 0; index < body.length; index++) {
    const code = body.charCodeAt(index);
    const paired = isHighSurrogate(code) && isLowSurrogate(body.charCodeAt(index + 1));
    const size = paired ? 2 : unitsOf(code);
    if (paired) index += 1;
    if (used + size > part) {
      parts += 1;
      used = 0;
    }
    used += size;
  }
  return parts;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
