import type { CostEstimate } from '../estimate/estimate-cost.js';
import type { IngestState } from '../ingest/ingest-lease.js';
import type { PriceTable } from '../estimate/price-table.js';
import { formatSendWindow } from '../domain/send-window.js';
import type { HoldOn } from '../domain/hold.js';
import { formatDuration } from '../lib/format-duration.js';
import { priceSentUnits } from '../observe/sent-units.js';
import { campaignKind } from '../domain/campaign.js';
import type { HoldReason } from '../store/held-recipients.js';
import type { StatusSnapshot } from './read-status.js';
import { etaSeconds, pendingOf, settledOf, topLevelTotals } from './status-maths.js';
import { describePresence } from './worker-presence.js';

export interface StatusView {
  campaign: string;
  /** The campaign's state as Redis holds it (scheduled, running, paused, cancelled, finished). */
  state: string;
  /** Whether anything can be sent now; false with the reason when a running campaign sends nothing. */
  sending: boolean;
  notSending: string | null;
  ingest: IngestState['state'];
  /** Where and why the reading of the file stopped before its end; null unless it did. */
  ingestStopped: { file: string | null; line: number | null; reason: string } | null;
  createdAt: string;
  startAt: string | null;
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
  senders: { senderId: string; limitMps: number; hold: HoldOn | null }[];
  workers: { alive: number; lastSeenAt: string | null; text: string };
  /** The sending window (`09:00-20:00`, each recipient's local time), if the campaign has one. */
  window: string | null;
  windowWaits: { recipients: number; firstAt: string; lastAt: string } | null;
  /** `transactional` (declared not marketing: no quiet hours, no frequency cap) or `marketing`. */
  kind: 'transactional' | 'marketing';
  /** Recipients held back now by a compliance rule, by reason; null for a finished or cancelled campaign. */
  held: Record<HoldReason, number> | null;
  /** The estimated cost of what was sent so far (SMS segments and messages accepted × the price table). */
  cost: { currency: string; total: number; source: string; asOf: string; unpricedUnits: number } | null;
  /** When this was read (Redis's clock), ISO. */
  at: string;
}

const FINAL = new Set(['finished', 'cancelled']);

/** What `herald status --json` prints, and what the text forms are made from. Pure. */
export function buildStatusView(snapshot: StatusSnapshot, rate: number | undefined, prices: PriceTable): StatusView {
  const { record, counts, workers } = snapshot;
  const pending = pendingOf(counts);
  const notSending = findNotSending(snapshot, pending);
  const running = record.state === 'running' && notSending === undefined;
  const eta = running ? etaSeconds(pending, rate) : pending === 0 ? 0 : undefined;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    campaign: record.spec.name,
    state: record.state,
    sending: running,
    notSending: notSending ?? null,
    ingest: snapshot.ingest.state,
    ingestStopped:
      snapshot.ingest.state === 'stopped'
        ? { file: snapshot.ingest.file, line: snapshot.ingest.line, reason: snapshot.ingest.reason }
        : null,
    createdAt: record.createdAt,
    startAt: record.startAt ?? null,
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
    senders: snapshot.senders.map(({ senderId, limitMps, hold }) => ({ senderId, limitMps, hold: hold ?? null })),
    workers: {
      alive: workers.alive,
      lastSeenAt: workers.lastSeenAt === undefined ? null : iso(workers.lastSeenAt),
      text: describePresence(workers),
    },
    window: record.spec.window === undefined ? null : formatSendWindow(record.spec.window),
    windowWaits:
      snapshot.windowWaits === undefined
        ? null
        : {
            recipients: snapshot.windowWaits.recipients,
            firstAt: iso(snapshot.windowWaits.firstAt),
            lastAt: iso(snapshot.windowWaits.lastAt),
          },
    kind: campaignKind(record.spec),
    held: snapshot.held ?? null,
    cost: summariseCost(priceSentUnits(counts, prices)),
    at: iso(snapshot.at),
  };
}

/**
 * Why a campaign that should be sending sends nothing, if it does not: no worker alive (for a scheduled campaign too,
 * as nobody will start it), every sender on hold, or every pending recipient outside their sending window.
 */
function findNotSending(snapshot: StatusSnapshot, pending: number): string | undefined {
  const { record, workers, senders, windowWaits } = snapshot;
  if (FINAL.has(record.state) || record.state === 'paused' || pending === 0) return undefined;
  if (workers.alive === 0) return describePresence(workers);
  if (record.state !== 'running') return undefined;
  if (senders.length > 0 && senders.every((sender) => sender.hold !== undefined)) {
    return senders.length === 1 ? 'its sender is on hold' : `all ${senders.length} of its senders are on hold`;
  }
  if (windowWaits !== undefined && windowWaits.recipients >= pending) {
    return 'every recipient left waits for their sending window';
  }
  const held = snapshot.held === undefined ? 0 : snapshot.held['quiet-hours'] + snapshot.held['frequency-cap'];
  if (held > 0 && held >= pending) return 'every recipient left is held by quiet hours or the frequency cap';
  return undefined;
}

function summariseCost({
  estimate,
  unpricedUnits,
}: {
  estimate: CostEstimate;
  unpricedUnits: number;
}): StatusView['cost'] {
  if (estimate.lines.length === 0 && unpricedUnits === 0) return null;
  const { currency, total, source, asOf } = estimate;
  return { currency, total, source, asOf, unpricedUnits };
}

/** Every total the campaign has as parts: `queued 33`, `sent 30`, …, `rejected at ingest 1`. */
export function listTotals(view: StatusView): string[] {
  const parts = Object.entries(view.counts)
    .filter(([field]) => field !== 'rejected')
    .map(([field, value]) => `${field} ${value}`);
  parts.push(`pending ${view.pending}`, `rejected at ingest ${view.rejected}`);
  return parts;
}

/** Rate against the limit and the ETA, e.g. `9.8/s of 40/s limit, ETA 2 min 10 s`. */
export function formatPace(view: StatusView): string {
  const rate = view.ratePerSecond === null ? '—' : `${view.ratePerSecond}/s`;
  const eta = view.etaSeconds === null ? '—' : formatDuration(view.etaSeconds);
  return `${rate} of ${view.limitPerSecond}/s limit, ETA ${eta}`;
}

/** The state as a person should read it: never `running` while nothing can be sent. */
export function describeState(view: StatusView): string {
  if (view.notSending === null) return view.state;
  return view.state === 'running' ? `not sending: ${view.notSending}` : `${view.state}, but ${view.notSending}`;
}

/** One plain line: for `herald status` and for `--watch` outside a terminal. */
export function formatStatusLine(view: StatusView): string {
  return `${view.campaign}: ${describeState(view)} — ${listTotals(view).join(', ')} | ${formatPace(view)}`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
