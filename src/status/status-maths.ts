import type { CampaignCounts } from '../queue/campaign-store.js';

/**
 * Totals that are not recipient outcomes: `delivered`, `undelivered` and `read` subdivide `sent`; `rejected` rows
 * never entered the campaign; `resent` tallies resend-failed. Every other top-level total (sent, failed, unknown,
 * and whatever final state a later herald adds, such as cancelled) settles a recipient.
 */
const NOT_SETTLING = new Set(['queued', 'delivered', 'undelivered', 'read', 'rejected', 'resent']);

/** The order totals are shown in; any other total follows, alphabetically. */
const SHOWN_FIRST = ['queued', 'sent', 'delivered', 'undelivered', 'failed', 'unknown'];

/** The campaign-wide totals (fields without a `:`), in display order. Pure. */
export function topLevelTotals(counts: CampaignCounts): [string, number][] {
  const totals = Object.entries(counts).filter(([field]) => !field.includes(':'));
  const rank = (field: string) => {
    const index = SHOWN_FIRST.indexOf(field);
    return index === -1 ? SHOWN_FIRST.length : index;
  };
  return totals.sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Recipients with a final outcome. */
export function settledOf(counts: CampaignCounts): number {
  return topLevelTotals(counts)
    .filter(([field]) => !NOT_SETTLING.has(field))
    .reduce((sum, [, value]) => sum + value, 0);
}

/** Queued recipients still waiting for an outcome. */
export function pendingOf(counts: CampaignCounts): number {
  return Math.max(0, (counts['queued'] ?? 0) - settledOf(counts));
}

export interface Sample {
  /** ms */
  at: number;
  settled: number;
}

/**
 * Recipients settled per second over the last `windowMs` of samples (oldest first), or undefined with fewer than
 * two samples or none spanning any time. Pure.
 */
export function settleRate(samples: readonly Sample[], windowMs: number): number | undefined {
  const last = samples.at(-1);
  if (last === undefined) return undefined;
  const first = samples.find((sample) => last.at - sample.at <= windowMs) ?? last;
  const seconds = (last.at - first.at) / 1000;
  if (seconds <= 0) return undefined;
  return Math.max(0, (last.settled - first.settled) / seconds);
}

/** Seconds until the pending recipients are settled at `rate`; undefined when it cannot be told. Pure. */
export function etaSeconds(pending: number, rate: number | undefined): number | undefined {
  if (pending === 0) return 0;
  if (rate === undefined || rate <= 0) return undefined;
  return pending / rate;
}
