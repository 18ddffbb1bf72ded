import { type FileHandle, open, stat, unlink } from 'node:fs/promises';

import { stringify } from 'csv-stringify/sync';

import { HeraldError } from '../lib/herald-error.js';
import { neutraliseFormula } from '../lib/spreadsheet-cell.js';

/** The rejected file cannot be written (no such folder, no permission, a full disk). */
export class RejectedReportError extends HeraldError {
  override name = 'RejectedReportError';
}

/** Refused rows held before they are written: one write for many rows, and a failed write known at a known point. */
const ROWS_PER_WRITE = 500;

/**
 * The `<campaign>.rejected.csv` file: one row per refused CSV row, with its line number, the reason and the row's
 * original values, so the rows can be fixed and the file run again. It is written with the recipient file's
 * delimiter, and a cell that a spreadsheet would run as a formula is written as text (lib/spreadsheet-cell.ts).
 * The file is opened, and an old one emptied, before anything is queued, so that a path that cannot be written
 * fails first; it is removed again at the end when no row was refused. Every failed write is a
 * {@link RejectedReportError} from `add` or `close`.
 */
export class RejectedReport {
  readonly path: string;
  readonly #handle: FileHandle;
  readonly #delimiter: string;
  #rows: unknown[][];
  #count = 0;

  private constructor(path: string, handle: FileHandle, columns: readonly string[], delimiter: string) {
    this.path = path;
    this.#handle = handle;
    this.#delimiter = delimiter;
    this.#rows = [['line', 'reason', ...columns]];
  }

  static async open(path: string, columns: readonly string[], delimiter = ','): Promise<RejectedReport> {
    const handle = await open(path, 'w').catch((error: unknown) => {
      throw new RejectedReportError(`cannot write ${path}: ${describeFileError(error)}`);
    });
    return new RejectedReport(path, handle, columns, delimiter);
  }

  /** Rows refused so far, written or not. */
  get count(): number {
    return this.#count;
  }

  async add(line: number, reason: string, fields: readonly string[]): Promise<void> {
    this.#count += 1;
    this.#rows.push([line, reason, ...fields]);
    if (this.#rows.length >= ROWS_PER_WRITE) await this.#write();
  }

  /** Writes the rows still held and closes the file; removes it when no row was refused. */
  async close(): Promise<void> {
    try {
      if (this.#count > 0) await this.#write();
    } finally {
      await this.#handle.close().catch(() => undefined);
    }
    // Only a file this run made is removed: `--rejected /dev/null` stays.
    if (this.#count === 0 && (await this.#isFile())) await unlink(this.path).catch(() => undefined);
  }

  /** Closes the file without writing what is held, after a failure. */
  async abandon(): Promise<void> {
    await this.#handle.close().catch(() => undefined);
  }

  async #write(): Promise<void> {
    const text = stringify(this.#rows, { delimiter: this.#delimiter, cast: { string: neutraliseFormula } });
    this.#rows = [];
    let bytes = Buffer.from(text);
    try {
      while (bytes.length > 0) bytes = bytes.subarray((await this.#handle.write(bytes)).bytesWritten);
    } catch (error) {
      throw new RejectedReportError(`cannot write ${this.path}: ${describeFileError(error)}`);
    }
  }

  async #isFile(): Promise<boolean> {
    return stat(this.path).then(
      (stats) => stats.isFile(),
      () => false,
    );
  }
}

/** `no space left on device (ENOSPC)` from Node's `ENOSPC: no space left on device, write`. */
function describeFileError(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const text = /^[A-Z]+: ([^,]+)/.exec(message)?.[1] ?? message;
  return code === undefined ? text : `${text} (${code})`;
}
