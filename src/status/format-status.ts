import { describeStoppedIngest, type IngestState } from '../ingest/ingest-lease.js';
import { formatDuration } from '../lib/format-duration.js';
import type { StatusSnapshot } from './read-status.js';
import { etaSeconds, pendingOf, settledOf, topLevelTotals } from './status-maths.js';

export interface StatusView {
  campaign: string;
  state: string;
  ingest: IngestState['state'];
  /** Where and why the reading of the file stopped before its end; null unless it did. */
  ingestStopped: { file: string | null; line: number | null; reason: string } | null;
  createdAt: string;
  finishedAt: string | null;
  /** Every campaign-wide total, including states a newer herald adds. */
  counts: Record<string, number>;
  queued: number;
  sent: number;
  failed: number;
  unknown: number;
  rejected: number;
  settled: number;
  pending: number;
  /** Recipients settled per second lately; null until measured. */
  ratePerSecond: number | null;
  /** The senders' combined limit, in messages per second (SMS: segments). */
  limitPerSecond: number;
  etaSeconds: number | null;
  senders: { senderId: string; limitMps: number }[];
}

/** What `herald status --json` prints, and what the text forms are made from. Pure. */
export function buildStatusView(snapshot: StatusSnapshot, rate: number | undefined): StatusView {
  const { record, counts } = snapshot;
  const pending = pendingOf(counts);
  const running = record.state === 'running';
  const eta = running ? etaSeconds(pending, rate) : pending === 0 ? 0 : undefined;
  return {
    campaign: record.spec.name,
    state: record.state,
    ingest: snapshot.ingest.state,
    ingestStopped:
      snapshot.ingest.state === 'stopped'
        ? { file: snapshot.ingest.file, line: snapshot.ingest.line, reason: snapshot.ingest.reason }
        : null,
    createdAt: record.createdAt,
    finishedAt: record.finishedAt ?? null,
    counts: Object.fromEntries(topLevelTotals(counts)),
    queued: counts['queued'] ?? 0,
    sent: counts['sent'] ?? 0,
    failed: counts['failed'] ?? 0,
    unknown: counts['unknown'] ?? 0,
    rejected: counts['rejected'] ?? 0,
    settled: settledOf(counts),
    pending,
    ratePerSecond: rate === undefined ? null : round(rate),
    limitPerSecond: round(snapshot.senders.reduce((sum, sender) => sum + sender.limitMps, 0)),
    etaSeconds: eta === undefined ? null : Math.round(eta),
    senders: snapshot.senders,
  };
}

/** The totals as `queued 33, sent 30, …, rejected at ingest 1`, every total the campaign has. */
export function formatTotals(view: StatusView): string {
  const parts = Object.entries(view.counts)
    .filter(([field]) => field !== 'rejected')
    .map(([field, value]) => `${field} ${value}`);
  parts.push(`pending ${view.pending}`, `rejected at ingest ${view.rejected}`);
  return parts.join(', ');
}

/** Rate against the limit and the ETA, e.g. `9.8/s of 40/s limit, ETA 2 min 10 s`. */
export function formatPace(view: StatusView): string {
  const rate = view.ratePerSecond === null ? '—' : `${view.ratePerSecond}/s`;
  const eta = view.etaSeconds === null ? '—' : formatDuration(view.etaSeconds);
  return `${rate} of ${view.limitPerSecond}/s limit, ETA ${eta}`;
}

/** One plain line: for `herald status` and for `--watch` outside a terminal. */
export function formatStatusLine(view: StatusView): string {
  const stopped =
    view.ingestStopped === null || view.state === 'cancelled'
      ? ''
      : ` | ${describeStoppedIngest({ state: 'stopped', ...view.ingestStopped })}`;
  return `${view.campaign}: ${view.state} — ${formatTotals(view)} | ${formatPace(view)}${stopped}`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
