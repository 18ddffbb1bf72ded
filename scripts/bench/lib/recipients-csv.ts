import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export interface GeneratedCsv {
  rows: number;
  /** Rows herald must refuse (an impossible number); the baseline queues them anyway. */
  bad: number;
}

/**
 * Writes a recipient CSV (phone, first_name, code) of `rows` distinct numbers in New York's 212 area, with one row
 * in `badEvery` (none when 0) holding a number too short to be valid. Deterministic, so every run ingests the same file.
 */
export async function writeRecipientsCsv(path: string, rows: number, badEvery = 33): Promise<GeneratedCsv> {
  const out = createWriteStream(path);
  let bad = 0;
  let buffer = 'phone,first_name,code\n';
  for (let row = 0; row < rows; row++) {
    const isBad = badEvery > 0 && row % badEvery === badEvery - 1;
    if (isBad) bad += 1;
    const phone = isBad ? `+1212${row % 1000}` : `+1212${2_000_000 + row}`;
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
