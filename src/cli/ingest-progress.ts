import { statSync } from 'node:fs';

import { Presets, SingleBar } from 'cli-progress';

import type { IngestProgress } from '../ingest/run-ingest.js';

/** Files smaller than this are read before a bar would be worth drawing. */
const MIN_BYTES = 256 * 1024;

export interface IngestReporter {
  onProgress(progress: IngestProgress): void;
  /** Prints a refused row without tearing the bar. */
  onRejected(line: number, reason: string): void;
  stop(): void;
}

/**
 * What `herald send` shows while it reads the file: on a terminal, a bar of the bytes read against the file's size
 * with rows and rows per second, on stderr so stdout keeps only the summary; in a pipe or CI nothing but refused
 * rows, one line each.
 */
export function makeIngestReporter(file: string, stream: NodeJS.WriteStream = process.stderr): IngestReporter {
  const refusals = new HeldLines(stream);
  const plain: IngestReporter = {
    onProgress: () => undefined,
    onRejected: (line, reason) => refusals.add(`line ${line}: ${reason}\n`),
    stop: () => refusals.flush(),
  };
  const size = fileSize(file);
  if (stream.isTTY !== true || size < MIN_BYTES) return plain;
  const bar = new SingleBar(
    {
      stream,
      format: 'reading {bar} {percentage}% | {read} of {size} | {rows} rows | {rate} rows/s | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 30,
    },
    Presets.shades_classic,
  );
  const started = performance.now();
  bar.start(size, 0, { read: megabytes(0), size: megabytes(size), rows: 0, rate: 0 });
  return {
    onProgress: ({ rows, bytesRead = 0 }) => {
      refusals.flush();
      const seconds = (performance.now() - started) / 1000;
      const rate = seconds > 0 ? Math.round(rows / seconds) : 0;
      bar.update(Math.min(bytesRead, size), { read: megabytes(bytesRead), rows, rate });
    },
    // Clears the bar's line first; the bar draws itself again below at its next update.
    onRejected: (line, reason) => refusals.add(`\r\x1b[Kline ${line}: ${reason}\n`),
    stop: () => {
      refusals.flush();
      bar.update(size);
      bar.stop();
    },
  };
}

/**
 * Lines held until the event loop turns, then written together. stderr on a pipe is written synchronously, one
 * system call per write, and a file with many bad rows refuses tens of thousands of them while it is read: held,
 * a chunk's refusals cost one call.
 */
class HeldLines {
  readonly #stream: NodeJS.WritableStream;
  #held = '';

  constructor(stream: NodeJS.WritableStream) {
    this.#stream = stream;
  }

  add(text: string): void {
    if (this.#held === '') setImmediate(() => this.flush());
    this.#held += text;
  }

  flush(): void {
    if (this.#held === '') return;
    const text = this.#held;
    this.#held = '';
    this.#stream.write(text);
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
