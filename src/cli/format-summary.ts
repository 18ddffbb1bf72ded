import { describeCountryHint } from '../ingest/country-hint.js';
import type { IngestSummary } from '../ingest/run-ingest.js';
import { plural } from '../lib/plural.js';

/** The summary `herald send` prints when the file has been read; `sending` is its last line, who sends it. Pure. */
export function formatIngestSummary(campaign: string, summary: IngestSummary, sending: string): string {
  const channels = Object.entries(summary.byChannel)
    .map(([channel, count]) => `${channel} ${count}`)
    .join(', ');
  const lines = [
    `campaign ${campaign}: ${plural(summary.rows, 'row')} read`,
    `  queued    ${summary.queued}${channels === '' ? '' : ` (${channels})`}${summary.byChannel.sms === undefined ? '' : `; SMS in ${plural(summary.smsSegments, 'segment')}`}`,
    ...(summary.alreadyInCampaign > 0
      ? [
          `  repeated  ${summary.alreadyInCampaign} (already in the campaign: a number given again, or queued by an ` +
            'earlier run; sent once)',
        ]
      : []),
    `  rejected  ${summary.rejected}${summary.rejectedPath === undefined ? '' : ` → ${summary.rejectedPath}`}`,
    ...(summary.countryHint === undefined ? [] : [`  hint      ${describeCountryHint(summary.countryHint)}`]),
    `  senders   ${
      Object.entries(summary.bySender)
        .map(([sender, count]) => `${sender} ${count}`)
        .join(', ') || 'none'
    }`,
    `  ${summary.finished ? 'nothing left to send: the campaign is finished' : sending}`,
  ];
  return `${lines.join('\n')}\n`;
}
