import { describeHold } from '../domain/sender-hold.js';
import type { SenderOverview, SenderRow } from '../queue/sender-overview.js';

/** `herald senders` as text: one line for the account when it is halted, then one line per sender. */
export function formatSenders(overview: SenderOverview): string {
  const lines: string[] = [];
  if (overview.account !== undefined) lines.push(describeHold(overview.account, 'account'));
  if (overview.senders.length === 0) lines.push('no senders: no active campaign and nothing on hold');
  const width = Math.max(...overview.senders.map((row) => row.senderId.length), 6);
  for (const row of overview.senders) lines.push(formatRow(row, width));
  return `${lines.join('\n')}\n`;
}

function formatRow(row: SenderRow, width: number): string {
  const rate = row.mps === undefined ? 'rate unknown' : `${row.mps} msg/s`;
  const campaigns = row.campaigns.length === 0 ? 'no active campaign' : `campaigns: ${row.campaigns.join(', ')}`;
  const state =
    row.hold === undefined
      ? 'running'
      : row.hold.state === 'paused'
        ? `paused until ${new Date(row.hold.until).toISOString()} (${row.hold.code} ${row.hold.reason})`
        : `halted since ${new Date(row.hold.since).toISOString()} (${row.hold.code} ${row.hold.reason})`;
  return `${row.senderId.padEnd(width)}  ${(row.address ?? '').padEnd(16)}  ${rate.padEnd(12)}  ${state} — ${campaigns}`;
}

/** The same, for scripts. */
export function sendersJson(overview: SenderOverview): string {
  const state = (row: SenderRow) => row.hold?.state ?? 'running';
  return `${JSON.stringify({
    account: overview.account ?? null,
    senders: overview.senders.map((row) => ({ ...row, state: state(row), hold: row.hold ?? null })),
  })}\n`;
}
