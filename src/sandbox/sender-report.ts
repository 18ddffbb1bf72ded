import { serialiseItems } from './json-chunks.js';
import type { GroupStats, SenderStats } from './sender-queues.js';

/** One sender in `GET /sandbox/senders`. */
export interface SenderReport extends SenderStats {
  /** receivedAt (ms since the epoch) of each accepted create still in the arrival log, oldest first. */
  arrivals: readonly number[];
}

export function buildSenderReports(
  stats: readonly SenderStats[],
  arrivals: ReadonlyMap<string, readonly number[]>,
): SenderReport[] {
  return stats.map((sender) => ({ ...sender, arrivals: arrivals.get(sender.sender) ?? [] }));
}

/**
 * `{"senders":[…],"groups":[…]}` in chunks: a pacing benchmark may leave a million arrivals on one sender, which
 * are streamed in parts rather than built into one string.
 */
export function* serialiseSenders(
  reports: readonly SenderReport[],
  groups: readonly GroupStats[] = [],
): Generator<string> {
  yield '{"senders":[';
  for (const [index, { arrivals, ...stats }] of reports.entries()) {
    const head = JSON.stringify(stats).slice(0, -1);
    yield `${index === 0 ? '' : ','}${head},"arrivals":[`;
    yield* serialiseItems(arrivals);
    yield ']}';
  }
  yield `],"groups":${JSON.stringify(groups)}}`;
}
