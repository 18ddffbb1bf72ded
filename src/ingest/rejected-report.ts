import { once } from 'node:events';
import { createWriteStream, rmSync, type WriteStream } from 'node:fs';

import { stringify } from 'csv-stringify';

/**
 * The `<campaign>.rejected.csv` file: one row per refused CSV row, with its line number, the reason and the row's
 * original values, so the rows can be fixed and the file run again. Created on the first rejection; a stale
 * report from an earlier run is removed at the start.
 */
export class RejectedReport {
  readonly path: string;
  readonly #columns: readonly string[];
  #stringifier: ReturnType<typeof stringify> | undefined;
  #file: WriteStream | undefined;
  #count = 0;

  constructor(path: string, columns: readonly string[]) {
    this.path = path;
    this.#columns = columns;
    rmSync(path, { force: true });
  }

  get count(): number {
    return this.#count;
  }

  async add(line: number, reason: string, fields: readonly string[]): Promise<void> {
    if (this.#stringifier === undefined) {
      this.#file = createWriteStream(this.path);
      this.#stringifier = stringify({ header: true, columns: ['line', 'reason', ...this.#columns.map(String)] });
      this.#stringifier.pipe(this.#file);
    }
    this.#count += 1;
    if (!this.#stringifier.write([line, reason, ...fields])) await once(this.#stringifier, 'drain');
  }

  async close(): Promise<void> {
    if (this.#stringifier === undefined || this.#file === undefined) return;
    const finished = once(this.#file, 'finish');
    this.#stringifier.end();
    await finished;
  }
}
