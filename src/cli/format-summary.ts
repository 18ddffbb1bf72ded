import { describeCountryHint } from '../ingest/country-hint.js';
import type { IngestSummary } from '../ingest/run-ingest.js';

/** The summary `herald send` prints when the file has been read. */
export function formatIngestSummary(campaign: string, summary: IngestSummary): string {
  const channels = Object.entries(summary.byChannel)
    .map(([channel, count]) => `${channel} ${count}`)
    .join(', ');
  const lines = [
    `campaign ${campaign}: ${summary.rows} rows read`,
    `  queued    ${summary.queued}${channels === '' ? '' : ` (${channels})`}${summary.byChannel.sms === undefined ? '' : `; SMS in ${summary.smsSegments} segments`}`,
    ...(summary.alreadyInCampaign > 0
      ? [`  already   ${summary.alreadyInCampaign} (in the campaign before: a re-run or a repeated number)`]
      : []),
    `  rejected  ${summary.rejected}${summary.rejectedPath === undefined ? '' : ` → ${summary.rejectedPath}`}`,
    ...(summary.countryHint === undefined ? [] : [`  hint      ${describeCountryHint(summary.countryHint)}`]),
    `  senders   ${
      Object.entries(summary.bySender)
        .map(([sender, count]) => `${sender} ${count}`)
        .join(', ') || 'none'
    }`,
    summary.finished
      ? '  nothing left to send: the campaign is finished'
      : summary.startAt !== undefined
        ? `  scheduled: workers start sending it at ${summary.startAt}; herald status ${campaign}`
        : '  workers are sending it: herald status ' + campaign,
  ];
  return `${lines.join('\n')}\n`;
}
