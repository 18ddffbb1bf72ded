import type { ResendSummary } from './resend-failed.js';

/** What `herald resend-failed` prints; `sending` says who sends what was queued again. Pure. */
export function formatResendSummary(
  campaign: string,
  summary: ResendSummary,
  dryRun: boolean,
  sending: string,
): string {
  const total = (tally: Record<string, number>) => Object.values(tally).reduce((sum, n) => sum + n, 0);
  const list = (tally: Record<string, number>) =>
    Object.entries(tally)
      .sort(([, a], [, b]) => b - a)
      .map(([reason, n]) => `    ${String(n).padStart(7)}  ${reason}`);
  const resent = total(summary.resent);
  const lines = [
    `campaign ${campaign}: ${dryRun ? 'would resend' : 'resent'} ${resent} recipient${resent === 1 ? '' : 's'}`,
    ...list(summary.resent),
    ...(summary.resumed > 0 ? [`  resumed ${summary.resumed} left queued without a job by an interrupted run`] : []),
    `  kept ${total(summary.kept)} whose failure a resend cannot cure`,
    ...list(summary.kept),
    ...(resent > 0 && !dryRun ? [`  ${sending}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}
