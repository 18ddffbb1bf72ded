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
 * The file is opened before anything is queued, so that a path that cannot be written fails first; an old report
 * is emptied at the first refused row, and removed at the end of a run that refused none. A run that fails before
 * writing leaves an old report as it was. Every failed write is a {@link RejectedReportError} from `add` or `close`.
 */
export class RejectedReport {
  readonly path: string;
  readonly #handle: FileHandle;
  readonly #delimiter: string;
  /** What the path was before this run: absent, a regular file (an old report), or something else (`/dev/null`). */
  readonly #before: 'absent' | 'file' | 'other';
  #rows: unknown[][];
  #count = 0;
  #written = false;

  private constructor(
    path: string,
    handle: FileHandle,
    before: 'absent' | 'file' | 'other',
    columns: readonly string[],
    delimiter: string,
  ) {
    this.path = path;
    this.#handle = handle;
    this.#before = before;
    this.#delimiter = delimiter;
    this.#rows = [['line', 'reason', ...columns]];
  }

  static async open(path: string, columns: readonly string[], delimiter = ','): Promise<RejectedReport> {
    const before = await stat(path).then(
      (stats) => (stats.isFile() ? ('file' as const) : ('other' as const)),
      () => 'absent' as const,
    );
    // Appending, so that nothing of an old report is lost until this run has a row to write.
    const handle = await open(path, 'a').catch((error: unknown) => {
      throw new RejectedReportError(`cannot write ${path}: ${describeFileError(error)}`);
    });
    return new RejectedReport(path, handle, before, columns, delimiter);
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

  /** Writes the rows still held and closes the file; removes it (an old report) when no row was refused. */
  async close(): Promise<void> {
    try {
      if (this.#count > 0) await this.#write();
    } finally {
      await this.#handle.close().catch(() => undefined);
    }
    if (!this.#written && this.#before !== 'other') await unlink(this.path).catch(() => undefined);
  }

  /** Closes the file without writing what is held, after a failure; an old report nothing was written over stays. */
  async abandon(): Promise<void> {
    await this.#handle.close().catch(() => undefined);
    if (!this.#written && this.#before === 'absent') await unlink(this.path).catch(() => undefined);
  }

  async #write(): Promise<void> {
    const text = stringify(this.#rows, { delimiter: this.#delimiter, cast: { string: neutraliseFormula } });
    this.#rows = [];
    let bytes = Buffer.from(text);
    try {
      // The old report goes at this run's first row; a device (`/dev/null`) cannot be truncated and needs not be.
      if (!this.#written && this.#before === 'file') await this.#handle.truncate(0);
      this.#written = true;
      while (bytes.length > 0) bytes = bytes.subarray((await this.#handle.write(bytes)).bytesWritten);
    } catch (error) {
      throw new RejectedReportError(`cannot write ${this.path}: ${describeFileError(error)}`);
    }
  }
}

/** `no space left on device (ENOSPC)` from Node's `ENOSPC: no space left on device, write`. */
function describeFileError(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const text = /^[A-Z]+: ([^,]+)/.exec(message)?.[1] ?? message;
  return code === undefined ? text : `${text} (${code})`;
}
