import { setTimeout as sleep } from 'node:timers/promises';

import type { Command } from 'commander';

import { operatorZone } from '../lib/zoned-time.js';
import { readPriceTable } from './read-price-table.js';
import { UsageError } from './usage-error.js';
import { withCampaign } from './with-campaign.js';

/** How far back the rate is measured, so it follows the campaign's pace without jumping at every sample. */
const RATE_WINDOW_MS = 10_000;

interface StatusOptions {
  json?: boolean;
  watch?: boolean;
  interval: number;
  prices?: string;
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description(
      'Show a campaign’s state and counts (queued, sent, delivered, undelivered, failed, unknown, …), its rate ' +
        'against the senders’ combined limit and an ETA, whether workers are alive to send it, senders on hold, ' +
        'recipients waiting for their sending window, and the estimated cost so far.',
    )
    .argument('<campaign>', 'campaign name')
    .option('--json', 'print JSON for scripts (with --watch: one JSON object a line)')
    .option('--watch', 'follow the campaign until it ends: redrawn in place on a terminal, periodic lines otherwise')
    .option('--interval <seconds>', 'with --watch: seconds between updates', Number, 2)
    .option(
      '--prices <file>',
      'price table (JSON, as for send --dry-run) for the cost so far, instead of the example one',
    )
    .addHelpText(
      'after',
      `
The rate is measured over a second (without --watch) or the last 10 seconds; the limit counts SMS in segments,
as the pacer does. "running" is shown only while a worker is alive and a sender can send; otherwise the state says
why nothing is sent (no worker seen for a while, every sender on hold, every recipient outside their window).
Times are shown in your zone (TZ).

Example:
  herald status spring-sale
  herald status spring-sale --watch
  herald status spring-sale --json | jq .pending`,
    )
    .action(async (campaign: string, options: StatusOptions) => {
      if (!(options.interval > 0)) throw new UsageError('--interval must be a number of seconds above 0');
      const prices = await readPriceTable(options.prices);
      const zone = operatorZone();
      await withCampaign(campaign, async ({ connection, keys, store, name }) => {
        const [
          { readStatus },
          { buildStatusView },
          { formatStatusBlock },
          { settleRate, settledOf },
          { makeStatusDisplay },
        ] = await Promise.all([
          import('../status/read-status.js'),
          import('../status/format-status.js'),
          import('../status/status-block.js'),
          import('../status/status-maths.js'),
          import('./status-bar.js'),
        ]);
        const samples: { at: number; settled: number }[] = [];
        const take = async () => {
          const snapshot = await readStatus(connection, keys, store, name);
          if (snapshot === undefined) throw new UsageError(`campaign ${campaign} was removed`);
          samples.push({ at: snapshot.at, settled: settledOf(snapshot.counts) });
          while (samples.length > 2 && snapshot.at - samples[1]!.at >= RATE_WINDOW_MS) samples.shift();
          return buildStatusView(snapshot, settleRate(samples, RATE_WINDOW_MS), prices);
        };
        const printJson = (view: Awaited<ReturnType<typeof take>>) => process.stdout.write(`${JSON.stringify(view)}\n`);

        let view = await take();
        if (options.watch !== true) {
          // A rate needs two readings; a campaign that is not sending has none to measure.
          if (view.sending && view.pending > 0) {
            await sleep(1000);
            view = await take();
          }
          if (options.json === true) return printJson(view);
          const width = process.stdout.isTTY === true ? Math.max(20, (process.stdout.columns || 80) - 1) : undefined;
          const lines = formatStatusBlock(view, zone, width === undefined ? {} : { width });
          process.stdout.write(`${lines.join('\n')}\n`);
          return;
        }
        const display = options.json === true ? undefined : makeStatusDisplay(process.stdout, zone);
        for (;;) {
          if (display === undefined) printJson(view);
          else display.update(view);
          if (view.state === 'finished' || view.state === 'cancelled') break;
          await sleep(options.interval * 1000);
          view = await take();
        }
        display?.stop();
      });
    });
}
