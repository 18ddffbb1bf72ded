import { Writable } from 'node:stream';

import { describe, expect, it } from '@jest/globals';

import { LogSummary } from '../../../src/observe/log-summary.js';
import { createLogger } from '../../../src/observe/logger.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level: 'info', name: 't', destination }), lines };
}

describe('LogSummary', () => {
  it('logs the first of each kind at once and the rest as one line per kind and interval', () => {
    const { logger, lines } = capture();
    // The interval is long: the test flushes by hand.
    const summary = new LogSummary(logger, { level: 'warn', message: 'rejected', intervalMs: 3_600_000 });
    for (let i = 0; i < 5000; i++) summary.note(i % 3 === 0 ? 'signature' : 'unsigned', { reason: 'x' });
    expect(lines.map((line) => line['msg'])).toEqual(['rejected', 'rejected']);
    summary.flush();
    expect(lines.slice(2).map((line) => [line['msg'], line['repeated']])).toEqual([
      ['rejected (1666 more)', 1666],
      ['rejected (3332 more)', 3332],
    ]);
    // Still active: the next one waits for the summary; a quiet interval forgets the kind.
    summary.note('unsigned');
    expect(lines).toHaveLength(4);
    summary.flush();
    summary.flush();
    summary.note('unsigned');
    expect(lines.map((line) => line['msg']).slice(4)).toEqual(['rejected (1 more)', 'rejected']);
    // Stopping writes what is pending.
    summary.note('unsigned');
    summary.stop();
    expect(lines.map((line) => line['msg']).slice(6)).toEqual(['rejected (1 more)']);
  });

  it('keeps a bounded number of kinds, folding the rest into one', () => {
    const { logger, lines } = capture();
    const summary = new LogSummary(logger, { level: 'warn', message: 'error', intervalMs: 3_600_000 });
    for (let i = 0; i < 1000; i++) summary.note(`kind ${i}`);
    expect(lines.length).toBeLessThanOrEqual(50);
    summary.flush();
    expect(lines.at(-1)?.['msg']).toBe(`error (${1000 - lines.length + 1} more of other kinds)`);
    summary.stop();
  });
});
