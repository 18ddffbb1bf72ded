import type { SegmentCount } from './channel.js';

/** Twilio rejects a Body longer than this (21617). Counted in UTF-16 code units, as an emoji counts as two. */
export const MAX_BODY_LENGTH = 1600;

// GSM 03.38 default alphabet (without ESC, which no text should contain) and its extension table, whose
// characters are sent as ESC + char and so take two septets.
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENDED = new Set('\f^{}\\[~]|€');

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
  for (const char of body) {
    if (!GSM_BASIC.has(char) && !GSM_EXTENDED.has(char) && !ucs2Chars.includes(char)) ucs2Chars.push(char);
  }
  if (ucs2Chars.length === 0) {
    const units = Array.from(body, (char) => (GSM_EXTENDED.has(char) ? 2 : 1));
    return { encoding: 'GSM-7', segments: countParts(units, GSM_SINGLE, GSM_PART), ucs2Chars };
  }
  const units = Array.from(body, (char) => char.length);
  return { encoding: 'UCS-2', segments: countParts(units, UCS2_SINGLE, UCS2_PART), ucs2Chars };
}

/** Packs indivisible characters (given as their sizes) into parts; a message is always at least one segment. */
function countParts(sizes: readonly number[], single: number, part: number): number {
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (total <= single) return 1;
  let parts = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > part) {
      parts += 1;
      used = 0;
    }
    used += size;
  }
  return parts;
}
