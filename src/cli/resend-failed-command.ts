import type { Command } from 'commander';

import { operatorZone } from '../lib/zoned-time.js';
import { withCampaign } from './with-campaign.js';

export function registerResendFailedCommand(program: Command): void {
  program
    .command('resend-failed')
    .description(
      'Queue again the recipients of a campaign whose failure can be cured (throttling, 5xx, queue full, daily cap, ' +
        'unreachable handset, …); never the opted-out, invalid, unknown, or anyone delivered.',
    )
    .argument('<campaign>', 'campaign name')
    .option('--dry-run', 'only say who would be resent, and why; change nothing')
    .addHelpText(
      'after',
      `
Running workers pick the campaign up again; \`herald status\` follows it. Which codes count as curable:
docs/operating.md ("Resending failures").

Example:
  herald resend-failed spring-sale --dry-run
  herald resend-failed spring-sale`,
    )
    .action(async (campaign: string, options: { dryRun?: boolean }) => {
      await withCampaign(campaign, async ({ connection, keys, store, record }) => {
        const { resendFailed } = await import('../resend/resend-failed.js');
        const { formatResendSummary } = await import('../resend/format-resend.js');
        const dryRun = options.dryRun === true;
        const summary = await resendFailed({ connection, keys, store }, record, { dryRun });
        const { describeSending, readSendingOutlook } = await import('../status/sending-outlook.js');
        const sending = describeSending(
          record.spec.name,
          await readSendingOutlook(connection, keys, record.spec),
          operatorZone(),
        );
        process.stdout.write(formatResendSummary(record.spec.name, summary, dryRun, sending));
      });
    });
}
