import { campaignKind } from '../domain/campaign.js';
import type { CampaignSummary } from '../queue/campaign-store.js';
import { formatSendWindow } from '../domain/send-window.js';
import { senderAddress } from '../domain/sender.js';

/** One campaign as `herald campaigns --json` prints it: stable field names for scripts. */
export function campaignJson(summary: CampaignSummary) {
  const { spec, counts, ...record } = summary;
  return {
    name: spec.name,
    ...record,
    channel: spec.channel ?? 'per row',
    senders: spec.senders.map(({ sender, mps }) => ({
      sender: senderAddress(sender),
      ...(mps === undefined ? {} : { mps }),
    })),
    templates: spec.templates,
    ...(spec.window === undefined ? {} : { window: formatSendWindow(spec.window) }),
    kind: campaignKind(spec),
    counts,
  };
}

const COLUMNS = [
  'CAMPAIGN',
  'STATE',
  'KIND',
  'CHANNEL',
  'SENDERS',
  'QUEUED',
  'SENT',
  'FAILED',
  'UNKNOWN',
  'CANCELLED',
  'CREATED',
  'STARTED',
  'FINISHED',
] as const;

/** A minute-precision UTC time: enough to tell campaigns apart, short enough for a terminal. */
function shortTime(iso: string | undefined): string {
  return iso === undefined ? '-' : `${iso.slice(0, 16).replace('T', ' ')}Z`;
}

/** The table `herald campaigns` prints, oldest first; numbers right-aligned. */
export function formatCampaignTable(summaries: readonly CampaignSummary[]): string {
  if (summaries.length === 0) return 'no campaigns yet: herald send <file> --campaign <name> … creates one\n';
  const rows = summaries.map((summary) => {
    const count = (field: string) => String(summary.counts[field] ?? 0);
    const state =
      summary.state === 'scheduled' && summary.startAt !== undefined
        ? `scheduled ${shortTime(summary.startAt)}`
        : summary.state;
    return [
      summary.spec.name,
      state,
      campaignKind(summary.spec),
      summary.spec.channel ?? 'per row',
      String(summary.spec.senders.length),
      count('queued'),
      count('sent'),
      count('failed'),
      count('unknown'),
      count('cancelled'),
      shortTime(summary.createdAt),
      shortTime(summary.startedAt),
      shortTime(summary.finishedAt),
    ];
  });
  const table = [[...COLUMNS], ...rows];
  const widths = COLUMNS.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  const numeric = new Set([4, 5, 6, 7, 8, 9]);
  return table
    .map((row) =>
      row
        .map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}
