import type { Command } from 'commander';

import { formatZoned, operatorZone } from '../lib/zoned-time.js';
import { campaignArgument, requireCampaign, withCampaignStore } from './campaign-connection.js';
import { campaignJson, formatCampaignTable } from './format-campaigns.js';

export function registerCampaignsCommand(program: Command): void {
  const campaigns = program
    .command('campaigns')
    .description('List every campaign: state, channel, senders, counts and times.')
    .option('--json', 'print one JSON object per line, for scripts')
    .addHelpText(
      'after',
      '\nExample:\n  herald campaigns\n  herald campaigns --json | jq -r \'select(.state == "paused") | .name\'\n' +
        '  herald campaigns delete spring-sale',
    )
    .action(async (options: { json?: boolean }) => {
      await withCampaignStore(async ({ store }) => {
        const summaries = await store.list();
        process.stdout.write(
          options.json === true
            ? summaries.map((summary) => `${JSON.stringify(campaignJson(summary))}\n`).join('')
            : formatCampaignTable(summaries),
        );
      });
    });

  campaigns
    .command('delete')
    .description(
      'Delete a campaign that has ended (finished, or cancelled with its last send settled) from Redis: its ledger, ' +
        'details, receipts, counts and queues. The opt-out list is kept. Workers do this by themselves after ' +
        'HERALD_RETENTION_DAYS.',
    )
    .argument('<campaign>', 'campaign name')
    .addHelpText(
      'after',
      `
Take its report first if you need it (herald report <campaign> --out …): nothing of the campaign is left to
report on afterwards. A campaign still sending is refused; cancel it first.

Example:
  herald report spring-sale --out spring-sale.report.csv && herald campaigns delete spring-sale`,
    )
    .action(async (campaign: string) => {
      const name = campaignArgument(campaign);
      await withCampaignStore(async ({ connection, keys, store }) => {
        await requireCampaign(store, name);
        const { deleteEndedCampaign } = await import('../lifecycle/retention.js');
        const record = await deleteEndedCampaign(connection, keys, store, name);
        const ended =
          record.finishedAt === undefined ? '' : ` at ${formatZoned(Date.parse(record.finishedAt), operatorZone())}`;
        process.stdout.write(`${name}: deleted (it ended ${record.state}${ended}); the opt-out list is kept\n`);
      });
    });
}
