import { createWriteStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { stringify } from 'csv-stringify';

import type { OptOutRecord } from '../compliance/opt-out-record.js';
import type { E164 } from '../domain/e164.js';
import { HeraldError } from '../lib/herald-error.js';
import { neutraliseFormula } from '../lib/spreadsheet-cell.js';

export const OPT_OUT_COLUMNS = ['number', 'when', 'source', 'text', 'sender', 'note'] as const;

/**
 * Streams the list as CSV to `out` (or standard output), one row per number; a reply's words and a note are written
 * so a spreadsheet shows them as text, never runs them (lib/spreadsheet-cell.ts). Returns the rows written.
 */
export async function writeOptOutsCsv(
  entries: AsyncGenerator<{ number: E164; record: OptOutRecord | undefined }>,
  out: string | undefined,
): Promise<number> {
  const cannotWrite = (error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    return out !== undefined && typeof code === 'string' && code.startsWith('E')
      ? new HeraldError(`cannot write ${out}: ${code}`)
      : error;
  };
  // Opened before the first read, so a path that cannot be written fails with nothing in flight.
  const output: Writable =
    out === undefined
      ? process.stdout
      : await openForWriting(out).catch((error: unknown) => {
          throw cannotWrite(error);
        });
  let rows = 0;
  const lines = (async function* () {
    for await (const { number, record } of entries) {
      rows += 1;
      yield {
        number,
        when: record === undefined ? '' : new Date(record.at).toISOString(),
        source: record?.source ?? 'unreadable',
        text: record?.text ?? '',
        sender: record?.sender ?? '',
        note: record?.note ?? '',
      };
    }
  })();
  try {
    const csv = stringify({ header: true, columns: [...OPT_OUT_COLUMNS], cast: { string: neutraliseFormula } });
    await pipeline(Readable.from(lines), csv, output, { end: out !== undefined });
  } catch (error) {
    // The reader must finish its round trip before the connection closes.
    await lines.return(undefined).catch(() => undefined);
    throw cannotWrite(error);
  }
  return rows;
}

function openForWriting(path: string): Promise<Writable> {
  const stream = createWriteStream(path);
  return new Promise((resolve, reject) => {
    stream.once('open', () => {
      stream.off('error', reject);
      resolve(stream);
    });
    stream.once('error', reject);
  });
}
