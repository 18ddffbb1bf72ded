import type { RedisClient } from '../redis/redis-connection.js';

import { type CountryCode, parsePhone } from '../domain/e164.js';
import { matchColumnName } from './column-names.js';
import { CsvFileError, openCsv } from './read-csv.js';
import type { Keys } from '../store/keys.js';
import { OptOutList } from '../compliance/opt-out-list.js';
import { encodeOptOut } from '../compliance/opt-out-record.js';

export interface ImportOptions {
  /** The column of numbers, matched as `--to-column` is (case, spaces, `_` and `-` do not matter). */
  column: string;
  note?: string;
  /** For numbers written without their country code. */
  defaultCountry?: CountryCode;
  /** A row that holds no usable number: reported, and the import goes on. */
  onBadRow: (line: number, reason: string) => void;
  /** Numbers written to Redis together (one pipeline, one round trip). */
  batchSize?: number;
}

export interface ImportSummary {
  added: number;
  /** Already on the list: their record is kept as it was. */
  present: number;
  bad: number;
}

const BATCH_SIZE = 1000;

/**
 * Puts every number of a CSV file on the opt-out list, as `import` with the file's note. The file streams: at most
 * one batch of numbers is held at once, and the next rows are read only once Redis has taken it, so a file of
 * millions of rows takes the memory of a thousand. A number already on the list keeps its record (HSETNX).
 */
export async function importOptOuts(
  client: RedisClient,
  keys: Keys,
  path: string,
  options: ImportOptions,
): Promise<ImportSummary> {
  const file = await openCsv(path);
  const match = matchColumnName(file.columns, options.column);
  if (match.kind === 'ambiguous') throw new CsvFileError(`${path}: ${match.reason}`);
  if (match.kind === 'none') {
    const columns = file.columns.map((name) => JSON.stringify(name)).join(', ');
    throw new CsvFileError(`${path} has no column "${options.column}" (its columns: ${columns}); pass --column`);
  }
  const column = match.index;
  const at = await new OptOutList(client, keys).now();
  const value = encodeOptOut({ at, source: 'import', ...(options.note === undefined ? {} : { note: options.note }) });
  const summary: ImportSummary = { added: 0, present: 0, bad: 0 };
  const batchSize = options.batchSize ?? BATCH_SIZE;
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const pipeline = client.pipeline();
    for (const number of batch) pipeline.hsetnx(keys.optOuts, number, value);
    batch = [];
    for (const [error, added] of (await pipeline.exec()) ?? []) {
      if (error !== null) throw error;
      if (added === 1) summary.added += 1;
      else summary.present += 1;
    }
  };
  const bad = (line: number, reason: string) => {
    summary.bad += 1;
    options.onBadRow(line, reason);
  };
  for await (const item of file.items) {
    if (item.kind === 'unreadable') {
      bad(item.line, item.reason);
      continue;
    }
    const cell = item.fields[column] ?? '';
    const parsed = parsePhone(cell, options.defaultCountry);
    if (!parsed.ok) {
      bad(item.line, parsed.reason);
      continue;
    }
    batch.push(parsed.e164);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return summary;
}
