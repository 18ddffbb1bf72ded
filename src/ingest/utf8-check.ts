import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';

import { completeUtf8Length, findInvalidUtf8 } from './file-encoding.js';

/** Where a file stops being UTF-8: the line, the first bad byte, and the bytes around it to guess from. */
export interface Utf8Fault {
  line: number;
  byte: number;
  /** The line's text around the bad byte, with bytes that are not ASCII written `\xE9`. */
  excerpt: string;
  /** The chunk of the file that holds it, for guessing the encoding. */
  sample: Uint8Array;
}

const CHUNK_BYTES = 1 << 16;

/**
 * Reads the whole file once before anything is queued, chunk by chunk in constant memory, so that a file that is
 * not UTF-8 is refused as a whole instead of being sent up to its first bad row. Node's native check runs at
 * gigabytes a second; lines are counted only once a fault is found, by reading up to it again.
 */
export async function findNonUtf8(path: string): Promise<Utf8Fault | undefined> {
  let carry: Buffer = Buffer.alloc(0);
  let offset = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>) {
    const bytes = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
    const whole = bytes.subarray(0, completeUtf8Length(bytes));
    if (!isUtf8(whole)) return describeFault(path, whole, offset);
    carry = Buffer.from(bytes.subarray(whole.length));
    offset += whole.length;
  }
  // A character cut off by the end of the file.
  return carry.length === 0 ? undefined : describeFault(path, carry, offset);
}

async function describeFault(path: string, bytes: Buffer, offset: number): Promise<Utf8Fault> {
  const at = Math.max(0, findInvalidUtf8(bytes));
  const lineStart = bytes.lastIndexOf(0x0a, at) + 1;
  const lineEnd = bytes.indexOf(0x0a, at);
  const from = Math.max(lineStart, at - 30);
  const to = Math.min(lineEnd < 0 ? bytes.length : lineEnd, at + 30);
  const excerpt = [...bytes.subarray(from, to)]
    .map((byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${hex(byte)}`))
    .join('')
    .replace(/\\x0D$/, '');
  return {
    line: (await countNewlines(path, offset)) + countIn(bytes.subarray(0, at)) + 1,
    byte: bytes[at]!,
    excerpt: `${from > lineStart ? '…' : ''}${excerpt}${to < (lineEnd < 0 ? bytes.length : lineEnd) ? '…' : ''}`,
    sample: bytes,
  };
}

/** Newlines in the first `end` bytes of the file. */
async function countNewlines(path: string, end: number): Promise<number> {
  if (end === 0) return 0;
  let count = 0;
  for await (const chunk of createReadStream(path, { end: end - 1 }) as AsyncIterable<Buffer>) count += countIn(chunk);
  return count;
}

function countIn(bytes: Uint8Array): number {
  let count = 0;
  for (let index = bytes.indexOf(0x0a); index >= 0; index = bytes.indexOf(0x0a, index + 1)) count += 1;
  return count;
}

function hex(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, '0');
}
