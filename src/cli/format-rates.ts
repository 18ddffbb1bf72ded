import { describeHold, type Hold } from '../domain/hold.js';
import { resumeCommandOf } from '../domain/rate-group.js';
import { describeSubject } from '../observe/log-events.js';
import type { GroupRow, HoldOn, RateOverview, SenderRow } from '../rate/rate-overview.js';

/** `herald senders` as text: one line for the account when it is halted, then one line per sender. */
export function formatSenders(overview: RateOverview): string {
  const lines: string[] = [];
  if (overview.account !== undefined) lines.push(describeAccount(overview.account));
  if (overview.senders.length === 0) lines.push('no senders: no active campaign and nothing on hold');
  const width = Math.max(...overview.senders.map((row) => row.senderId.length), 6);
  for (const row of overview.senders) lines.push(formatSender(row, width));
  return `${lines.join('\n')}\n`;
}

function formatSender(row: SenderRow, width: number): string {
  const rate = row.mps === undefined ? 'rate unknown' : `${round(row.mps)} msg/s`;
  const campaigns = row.campaigns.length === 0 ? 'no active campaign' : `campaigns: ${row.campaigns.join(', ')}`;
  const limits = row.limits.length > 1 ? `; limits: ${row.limits.join(', ')}` : '';
  return `${row.senderId.padEnd(width)}  ${(row.address ?? '').padEnd(16)}  ${rate.padEnd(12)}  ${stateOf(row.hold)} — ${campaigns}${limits}`;
}

function stateOf(on: HoldOn | undefined): string {
  if (on === undefined) return 'running';
  const by = on.level === 'sender' ? '' : ` by ${on.level === 'account' ? 'the account' : `group ${on.subject}`}`;
  const { hold } = on;
  return hold.state === 'held'
    ? `held${by} until ${new Date(hold.until).toISOString()} (${hold.code} ${hold.reason})`
    : `halted${by} since ${new Date(hold.since).toISOString()} (${hold.code} ${hold.reason})`;
}

function describeAccount(hold: Hold): string {
  return describeHold(hold, describeSubject('account', 'account'), resumeCommandOf('account', 'account'));
}

/** `herald groups` as text: one line per group. */
export function formatGroups(overview: RateOverview): string {
  if (overview.groups.length === 0)
    return 'no rate groups: every sender sends at its own limit (see herald groups --help)\n';
  return `${overview.groups.map(formatGroup).join('\n')}\n`;
}

function formatGroup(row: GroupRow): string {
  const parent = row.parent === undefined ? '' : ` in ${row.parent}`;
  const members = row.memberLimit === undefined ? '' : `, members ${row.memberLimit} each`;
  const cap = row.dailyCap;
  const day =
    cap === undefined
      ? ''
      : `; daily cap ${cap.used}/${cap.segments} segments, resets at ${cap.resetAt} ${cap.timeZone}` +
        (cap.resetsAt === undefined ? '' : ` (${new Date(cap.resetsAt).toISOString()})`);
  const state =
    row.hold === undefined
      ? 'running'
      : row.hold.state === 'held'
        ? `held until ${new Date(row.hold.until).toISOString()} (${row.hold.code} ${row.hold.reason})`
        : `halted (${row.hold.code} ${row.hold.reason})`;
  const senders = row.members.length === 0 ? '' : ` — senders: ${row.members.join(', ')}`;
  return `${row.name} (${row.kind}${parent}): ${row.limit}${members}${day}; ${state}${senders}`;
}

function round(rate: number): number {
  return Math.round(rate * 1000) / 1000;
}

/** The same, for scripts. */
export function sendersJson(overview: RateOverview): string {
  return `${JSON.stringify({
    account: overview.account ?? null,
    senders: overview.senders.map((row) => ({
      ...row,
      state: row.hold?.hold.state ?? 'running',
      hold: row.hold ?? null,
    })),
  })}\n`;
}

export function groupsJson(overview: RateOverview): string {
  return `${JSON.stringify({ groups: overview.groups.map((row) => ({ ...row, state: row.hold?.state ?? 'running' })) })}\n`;
}
