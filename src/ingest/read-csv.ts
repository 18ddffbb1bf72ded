import { open } from 'node:fs/promises';
import { finished, type Readable } from 'node:stream';

import { CsvError, parse } from 'csv-parse';
import iconv from 'iconv-lite';

import { HeraldError } from '../lib/herald-error.js';
import { type CsvFormat, detectDelimiter } from './csv-format.js';
import {
  chooseEncoding,
  decodeHead,
  type FileEncoding,
  guessEncoding,
  guessUtf16,
  hasNulCharacters,
} from './file-encoding.js';
import { findNonUtf8 } from './utf8-check.js';

/** The file cannot be read as a CSV at all (one readable line; nothing was queued). */
export class CsvFileError extends HeraldError {
  override name = 'CsvFileError';
}

export type CsvItem =
  | { kind: 'row'; line: number; fields: readonly string[] }
  /** A stretch of the file the parser could not read as a record (e.g. an unterminated quote). */
  | { kind: 'unreadable'; line: number; reason: string };

export interface CsvFile {
  columns: readonly string[];
  /** The delimiter the file was read with, given or found from its header row. */
  delimiter: string;
  /** The rows after the header, one at a time. Read either this or {@link batches}, not both. */
  items: AsyncIterable<CsvItem>;
  /**
   * The same items in file order, in runs as the parser hands them over (up to a few thousand each): a caller
   * that works through every row of a large file takes one await per run instead of one per row.
   */
  batches: AsyncIterable<readonly CsvItem[]>;
  /** Bytes of the file read so far (the parser reads a little ahead of the rows it has yielded). */
  bytesRead(): number;
}

/** A record longer than this is reported and skipped instead of growing the producer's memory without bound. */
const MAX_RECORD_BYTES = 1 << 20;
const SNIFF_BYTES = 8192;

/**
 * Opens a recipient CSV for streaming: BOM, CRLF or LF, quoted newlines and blank lines are handled, and every
 * row carries the line it starts on. The file is UTF-8 unless a byte order mark says UTF-16 or `format.encoding`
 * names another encoding (iconv-lite decodes it as it streams); a file that is not valid UTF-8 is refused whole,
 * before anything is read for sending, rather than sent with its letters turned into U+FFFD. The delimiter is
 * `format.delimiter`, or found from the header row.
 */
export async function openCsv(path: string, format: CsvFormat = {}): Promise<CsvFile> {
  const head = await readHead(path);
  const choice = chooseEncoding(head, format.encoding);
  if (!choice.ok) throw new CsvFileError(`${path}: ${choice.reason}`);
  const { encoding } = choice;
  if (!hasNulCharacters(encoding) && head.includes(0)) {
    const utf16 = guessUtf16(head);
    throw new CsvFileError(
      utf16 === undefined
        ? `${path} is not a CSV file (it holds binary data; export it as CSV first)`
        : `${path} looks like UTF-16 without a byte order mark: pass --encoding ${utf16}`,
    );
  }
  if (encoding.kind === 'utf-8') await rejectNonUtf8(path);
  const delimiter = format.delimiter ?? detectDelimiter(decodeHead(head, encoding));
  const file = (await open(path)).createReadStream();
  return readCsv(decodeStream(file, encoding), { delimiter, bytesRead: () => file.bytesRead });
}

/**
 * Lines are counted here, from the newlines inside values: csv-parse's own counter counts a CRLF inside quotes
 * twice, and reading it per record (`info: true`) costs an object per row. So the parser yields blank lines too, as
 * records of one empty field, and they are skipped here with rows whose every cell is empty (`,,,,`, as spreadsheets
 * leave them); a line holding only `""` reads the same and is skipped with them.
 */
export async function readCsv(
  input: Readable,
  options: { delimiter?: string; bytesRead?: () => number } = {},
): Promise<CsvFile> {
  const delimiter = options.delimiter ?? ',';
  const parser = input.pipe(
    parse({
      bom: true,
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_records_with_error: true,
      max_record_size: MAX_RECORD_BYTES,
    }),
  );
  const skipped: CsvError[] = [];
  parser.on('skip', (error: CsvError) => skipped.push(error));
  input.on('error', (error) => parser.destroy(error));

  const runs = readRuns<string[]>(parser);
  // The parser's records so far, blank lines included, as its errors count them; and the line the next one starts on.
  let records = 0;
  let nextLine = 1;
  /** Counts a record the parser yielded; returns the line it starts on. */
  const countRecord = (fields: readonly string[]): number => {
    records += 1;
    const line = nextLine;
    nextLine += newlinesIn(fields) + 1;
    return line;
  };
  // The first run holds the header and whatever rows came with it; those rows start the first batch.
  let first: string[][] = [];
  let header: { fields: string[]; line: number } | undefined;
  while (header === undefined) {
    const next = await runs.next();
    if (next.done === true) break;
    first = next.value;
    while (header === undefined && first.length > 0) {
      const fields = first.shift()!;
      const line = countRecord(fields);
      if (!isBlank(fields)) header = { fields, line };
    }
  }
  if (header === undefined) throw new CsvFileError('the file is empty: no header row');
  const columns = header.fields.map((name) => name.trim());
  if (columns.every((name) => name === '')) throw new CsvFileError('the header row is empty');

  // The parser reads ahead, so a skip event can arrive before records that precede it in the file; its
  // `records` count (records read before the fault) puts it back in order.
  const unreadableBefore = (count: number, out: CsvItem[]): void => {
    while (skipped.length > 0 && counter(skipped[0]) < count) {
      const error = skipped.shift()!;
      out.push({ kind: 'unreadable', line: nextLine, reason: describeCsvError(error) });
    }
  };
  const itemsOf = (run: readonly string[][]): CsvItem[] => {
    const out: CsvItem[] = [];
    for (const fields of run) {
      // Faults before this record, at the line it starts on.
      unreadableBefore(records + 1, out);
      const line = countRecord(fields);
      if (!isBlank(fields)) out.push({ kind: 'row', line, fields });
    }
    return out;
  };
  async function* batches(): AsyncGenerator<readonly CsvItem[]> {
    try {
      const opening = itemsOf(first);
      if (opening.length > 0) yield opening;
      for (;;) {
        const next = await runs.next();
        if (next.done === true) break;
        const batch = itemsOf(next.value);
        if (batch.length > 0) yield batch;
      }
      const rest: CsvItem[] = [];
      unreadableBefore(Number.POSITIVE_INFINITY, rest);
      if (rest.length > 0) yield rest;
    } finally {
      // A caller that stops early stops the parser too.
      await runs.return(undefined);
    }
  }
  const batched = batches();
  async function* items(): AsyncGenerator<CsvItem> {
    for await (const batch of batched) yield* batch;
  }
  const source = input as Readable & { bytesRead?: number };
  const bytesRead = options.bytesRead ?? (() => source.bytesRead ?? 0);
  return { columns, delimiter, items: items(), batches: batched, bytesRead };
}

/**
 * A stream's objects in runs: each run is everything the stream holds when it is read, so its consumer awaits once
 * per run rather than once per object as with `for await` over the stream. Ends when the stream ends; throws its
 * error, or a close before its end.
 */
async function* readRuns<T>(stream: Readable): AsyncGenerator<T[]> {
  let wake: (() => void) | undefined;
  let done = false;
  let failure: Error | undefined;
  const signal = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  stream.on('readable', signal);
  const stopWatching = finished(stream, { writable: false }, (error) => {
    done = true;
    failure = error ?? undefined;
    signal();
  });
  try {
    for (;;) {
      const run: T[] = [];
      for (let value = stream.read() as T | null; value !== null; value = stream.read() as T | null) run.push(value);
      if (run.length > 0) yield run;
      else if (failure !== undefined) throw failure;
      else if (done) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stopWatching();
    stream.off('readable', signal);
    // A consumer that stops early (an error, a cancel) stops the parser, which unpipes it from the file.
    if (!done) stream.destroy();
  }
}

/** CsvError carries the parser's counters at the fault as untyped properties. */
function counter(error: CsvError | undefined): number {
  const value = error?.['records'];
  return typeof value === 'number' ? value : 0;
}

function isBlank(fields: readonly string[]): boolean {
  return fields.every((field) => field.trim() === '');
}

function newlinesIn(fields: readonly string[]): number {
  let count = 0;
  for (const field of fields) {
    if (field.includes('\n') || field.includes('\r')) count += field.match(/\r\n|\r|\n/g)?.length ?? 0;
  }
  return count;
}

function describeCsvError(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'unterminated quoted field: the rest of the file could not be read';
    case 'CSV_MAX_RECORD_SIZE':
      return `record longer than ${MAX_RECORD_BYTES} bytes (an unterminated quote?)`;
    default:
      return `unreadable CSV: ${error.message}`;
  }
}

/** The file's first kilobytes, to find its encoding and delimiter; a file that cannot be opened fails here. */
async function readHead(path: string): Promise<Uint8Array> {
  const handle = await open(path).catch((error: NodeJS.ErrnoException) => {
    throw new CsvFileError(`cannot open ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(SNIFF_BYTES), 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function rejectNonUtf8(path: string): Promise<void> {
  const fault = await findNonUtf8(path);
  if (fault === undefined) return;
  const byte = fault.byte.toString(16).toUpperCase().padStart(2, '0');
  throw new CsvFileError(
    `${path} is not UTF-8: line ${fault.line} has the byte 0x${byte} ("${fault.excerpt}"), ` +
      `${guessEncoding(fault.sample)}, or save the file as "CSV UTF-8"`,
  );
}

/** The file as text for the parser: UTF-8 goes as bytes (csv-parse decodes it), any other encoding through iconv-lite. */
function decodeStream(file: Readable, encoding: FileEncoding): Readable {
  if (encoding.kind === 'utf-8') return file;
  const decoder = iconv.decodeStream(encoding.name) as unknown as Readable;
  file.on('error', (error) => decoder.destroy(error));
  return file.pipe(decoder as unknown as NodeJS.WritableStream) as unknown as Readable;
}
