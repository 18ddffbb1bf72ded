import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export interface GeneratedCsv {
  rows: number;
  /** Rows herald must refuse (an impossible number); the baseline queues them anyway. */
  bad: number;
}

/** US area codes the numbers are spread over, 8,000,000 numbers each (212 first). */
const AREA_CODES = ['212', '646', '718', '917', '347', '929', '332', '415', '628', '650'];
const PER_AREA = 8_000_000;

/**
 * Writes a recipient CSV (phone, first_name, code) of `rows` distinct numbers, in New York's 212 area for the first
 * 8,000,000 rows and in further area codes after them, with one row in `badEvery` (none when 0) holding a number
 * too short to be valid. Deterministic, so every run ingests the same file.
 */
export async function writeRecipientsCsv(path: string, rows: number, badEvery = 33): Promise<GeneratedCsv> {
  const out = createWriteStream(path);
  let bad = 0;
  let buffer = 'phone,first_name,code\n';
  for (let row = 0; row < rows; row++) {
    const isBad = badEvery > 0 && row % badEvery === badEvery - 1;
    if (isBad) bad += 1;
    const area = AREA_CODES[Math.floor(row / PER_AREA)];
    if (area === undefined) throw new Error(`at most ${AREA_CODES.length * PER_AREA} rows`);
    const phone = isBad ? `+1212${row % 1000}` : `+1${area}${2_000_000 + (row % PER_AREA)}`;
    buffer += `${phone},Name${row % 9973},C${(row * 7919) % 1_000_000}\n`;
    if (buffer.length > 1 << 16) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
  return { rows, bad };
}
