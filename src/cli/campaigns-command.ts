import type { Command } from 'commander';

import { withCampaignStore } from './campaign-connection.js';
import { campaignJson, formatCampaignTable } from './format-campaigns.js';

export function registerCampaignsCommand(program: Command): void {
  program
    .command('campaigns')
    .description('List every campaign: state, channel, senders, counts and times.')
    .option('--json', 'print one JSON object per line, for scripts')
    .addHelpText(
      'after',
      '\nExample:\n  herald campaigns\n  herald campaigns --json | jq -r \'select(.state == "paused") | .name\'',
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
}
