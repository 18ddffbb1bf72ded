import { describe, expect, it } from '@jest/globals';
import { buildSenderReports, serialiseSenders } from '../../../src/sandbox/sender-report.js';

const stats = (sender: string) => ({
  sender,
  mps: 1,
  accepted: 2,
  queuedSegments: 1,
  backlogSeconds: 0.5,
  peakBacklogSeconds: 1,
});

describe('sender reports', () => {
  it('joins each sender’s arrivals to its stats', () => {
    const reports = buildSenderReports([stats('a'), stats('b')], new Map([['a', [1, 2]]]));
    expect(reports).toEqual([
      { ...stats('a'), arrivals: [1, 2] },
      { ...stats('b'), arrivals: [] },
    ]);
  });

  it.each([0, 1, 3])('streams %i senders as one JSON document, arrivals in parts', (count) => {
    const arrivals = Array.from({ length: 2500 }, (_, index) => 1_700_000_000_000 + index + 0.5);
    const reports = Array.from({ length: count }, (_, index) => ({ ...stats(`s${index}`), arrivals }));
    const chunks = [...serialiseSenders(reports)];
    expect(JSON.parse(chunks.join(''))).toEqual({ senders: reports, groups: [] });
    expect(Math.max(...chunks.map((chunk) => chunk.length))).toBeLessThan(30_000);
  });
});
