import { PassThrough } from 'node:stream';

import { describe, expect, it } from '@jest/globals';

import { makeIngestReporter } from '../../../src/cli/ingest-progress.js';

/** A pipe-like stderr (not a terminal) that records each write it is given. */
function recordingStream(): { stream: NodeJS.WriteStream; writes: string[] } {
  const writes: string[] = [];
  const stream = new PassThrough() as unknown as NodeJS.WriteStream;
  stream.write = ((chunk: string) => {
    writes.push(chunk);
    return true;
  }) as NodeJS.WriteStream['write'];
  return { stream, writes };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('makeIngestReporter (not a terminal)', () => {
  it('prints the rows refused in one turn of the event loop with one write, in order', async () => {
    const { stream, writes } = recordingStream();
    const reporter = makeIngestReporter('/nonexistent.csv', stream);
    reporter.onRejected(2, 'invalid number: 555');
    reporter.onRejected(5, 'empty phone');
    reporter.onRejected(9, 'recipient opted out (replied STOP to an earlier message)');
    expect(writes).toEqual([]);
    await turn();
    expect(writes).toEqual([
      'line 2: invalid number: 555\nline 5: empty phone\nline 9: recipient opted out (replied STOP to an earlier message)\n',
    ]);
    reporter.onRejected(12, 'empty phone');
    await turn();
    expect(writes).toHaveLength(2);
    expect(writes[1]).toBe('line 12: empty phone\n');
    reporter.stop();
    expect(writes).toHaveLength(2);
  });

  it('prints what is held at once when the ingest stops', () => {
    const { stream, writes } = recordingStream();
    const reporter = makeIngestReporter('/nonexistent.csv', stream);
    reporter.onRejected(3, 'row has 4 fields, header has 3');
    reporter.stop();
    expect(writes).toEqual(['line 3: row has 4 fields, header has 3\n']);
  });
});
