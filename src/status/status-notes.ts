import type { HoldOn } from '../domain/hold.js';
import { resumeCommandOf } from '../domain/rate-group.js';
import { describeStoppedIngest } from '../ingest/ingest-lease.js';
import { formatDuration } from '../lib/format-duration.js';
import { formatZoned } from '../lib/zoned-time.js';
import type { StatusView } from './format-status.js';

/**
 * The lines `herald status` prints under its headline: who is sending (workers), when a scheduled campaign starts,
 * which senders are on hold and why, who waits for their sending window and until when, and the cost so far. Times
 * are shown in the operator's zone, named. Pure.
 */
export function statusNotes(view: StatusView, zone: string): [label: string, text: string][] {
  const now = Date.parse(view.at);
  const at = (iso: string, options: { date?: boolean } = {}) => formatZoned(Date.parse(iso), zone, options);
  const notes: [label: string, text: string][] = [];
  const final = view.state === 'finished' || view.state === 'cancelled';
  if (!final) {
    notes.push([
      'workers',
      view.workers.alive > 0 ? view.workers.text : `none alive: ${view.workers.text}; start one: herald worker`,
    ]);
  }
  if (view.ingestStopped !== null && view.state !== 'cancelled') {
    notes.push(['file', describeStoppedIngest({ state: 'stopped', ...view.ingestStopped })]);
  }
  if (view.state === 'scheduled' && view.startAt !== null) {
    const wait = Math.max(0, (Date.parse(view.startAt) - now) / 1000);
    notes.push(['starts', `${at(view.startAt)} (in ${formatDuration(wait)})`]);
  }
  if (!final) notes.push(...describeHolds(view, zone).map((text): [string, string] => ['on hold', text]));
  if (!final) notes.push(['rules', describeRules(view)]);
  if (view.window !== null && !final) {
    const waits = view.windowWaits;
    const start = view.window.split('-')[0] ?? '';
    notes.push([
      'window',
      waits === null
        ? `${view.window} in each recipient's own time`
        : `${view.window} in each recipient's own time; ${waits.recipients} ` +
          `${plural(waits.recipients, 'recipient waits', 'recipients wait')} for it, until ${start} their time: ` +
          `${formatSpan(at, nearestMinute(waits.firstAt), nearestMinute(waits.lastAt))}`,
    ]);
  }
  if (view.cost !== null) {
    const unpriced = view.cost.unpricedUnits > 0 ? `, and ${view.cost.unpricedUnits} not in the price table` : '';
    notes.push([
      'cost',
      `${view.cost.currency} ${money(view.cost.total)} so far${unpriced} (estimated from: ${view.cost.source}, ` +
        `as of ${view.cost.asOf})`,
    ]);
  }
  return notes;
}

/** The notes as lines: `  workers   2 alive`. */
export function describeStatusNotes(view: StatusView, zone: string): string[] {
  return statusNotes(view, zone).map(([label, text]) => `${formatNotePrefix(label)}${text}`);
}

/** Two spaces and the label in nine columns: every note's text starts in the same column. */
export function formatNotePrefix(label: string): string {
  return `  ${label.padEnd(9)} `;
}

/**
 * One line per hold: the account's once, however many senders it stops, a group's once, however many of the
 * campaign's senders it holds, then each sender's own.
 */
function describeHolds(view: StatusView, zone: string): string[] {
  const lines: string[] = [];
  const told = new Set<string>();
  for (const { senderId, hold: on } of view.senders) {
    if (on === null || told.has(`${on.level}:${on.subject}`)) continue;
    told.add(`${on.level}:${on.subject}`);
    const who =
      on.level === 'account' ? 'all sending (the account)' : on.level === 'sender' ? senderId : `group ${on.subject}`;
    lines.push(`${who}: ${describeHold(on, zone)}`);
  }
  return lines;
}

function describeHold({ hold, level, subject }: HoldOn, zone: string): string {
  const why = `${hold.code} ${hold.reason}`;
  if (hold.state === 'held') return `held until ${formatZoned(hold.until, zone)} (${why}); sends again by itself`;
  return `halted since ${formatZoned(hold.since, zone)} (${why}); once fixed: ${resumeCommandOf(level, subject)}`;
}

/** The compliance rules the campaign meets, and how many recipients they hold back now. */
function describeRules(view: StatusView): string {
  if (view.kind === 'transactional') return 'transactional: no quiet hours, no frequency cap';
  const held = view.held;
  const holding =
    held === null
      ? ''
      : `; held now: ${held['quiet-hours']} by quiet hours, ${held['frequency-cap']} by the frequency cap`;
  return `marketing: US quiet hours and the frequency cap apply${holding}`;
}

/** `2026-11-24 14:00 Europe/Paris`, or a range of two such times, the date left out of the second when shared. */
function formatSpan(at: (iso: string, options?: { date?: boolean }) => string, first: string, last: string): string {
  const from = at(first);
  const to = at(last);
  if (from === to) return from;
  const sameDay = from.slice(0, 10) === to.slice(0, 10);
  return `${from.replace(/ [^ ]+$/, '')} to ${sameDay ? at(last, { date: false }) : to}`;
}

/**
 * A window wait's due time to the nearest minute: a window opens on a whole minute, and a worker delays its job by
 * Redis's clock, which its own may trail or lead by a few ms, so a job due at 04:50:59.998 waits for 04:51.
 */
function nearestMinute(iso: string): string {
  const minute = 60_000;
  return new Date(Math.round(Date.parse(iso) / minute) * minute).toISOString();
}

function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}

function money(amount: number): string {
  return amount.toFixed(amount !== 0 && amount < 1 ? 4 : 2);
}
