import { setTimeout as sleep } from 'node:timers/promises';

import type { Command } from 'commander';

import { UsageError } from './usage-error.js';
import { withCampaign } from './with-campaign.js';

/** How far back the rate is measured, so it follows the campaign's pace without jumping at every sample. */
const RATE_WINDOW_MS = 10_000;

interface StatusOptions {
  json?: boolean;
  watch?: boolean;
  interval: number;
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description(
      'Show a campaign’s state and counts (queued, sent, delivered, undelivered, failed, unknown, …), its rate ' +
        'against the senders’ combined limit and an ETA.',
    )
    .argument('<campaign>', 'campaign name')
    .option('--json', 'print JSON for scripts (with --watch: one JSON object a line)')
    .option('--watch', 'follow the campaign until it ends: a progress bar on a terminal, periodic lines otherwise')
    .option('--interval <seconds>', 'with --watch: seconds between updates', Number, 2)
    .addHelpText(
      'after',
      `
The rate is measured over a second (without --watch) or the last 10 seconds; the limit counts SMS in segments,
as the pacer does.

Example:
  herald status spring-sale
  herald status spring-sale --watch
  herald status spring-sale --json | jq .pending`,
    )
    .action(async (campaign: string, options: StatusOptions) => {
      if (!(options.interval > 0)) throw new UsageError('--interval must be a number of seconds above 0');
      await withCampaign(campaign, async ({ connection, keys, store, name }) => {
        const [{ readStatus }, { buildStatusView, formatStatusLine }, { settleRate, settledOf }, { makeStatusBar }] =
          await Promise.all([
            import('../status/read-status.js'),
            import('../status/format-status.js'),
            import('../status/status-maths.js'),
            import('./status-bar.js'),
          ]);
        const samples: { at: number; settled: number }[] = [];
        const take = async () => {
          const snapshot = await readStatus(connection, keys, store, name);
          if (snapshot === undefined) throw new UsageError(`campaign ${campaign} was removed`);
          samples.push({ at: snapshot.at, settled: settledOf(snapshot.counts) });
          while (samples.length > 2 && snapshot.at - samples[1]!.at >= RATE_WINDOW_MS) samples.shift();
          return buildStatusView(snapshot, settleRate(samples, RATE_WINDOW_MS));
        };
        const print = (view: Awaited<ReturnType<typeof take>>) =>
          process.stdout.write(`${options.json === true ? JSON.stringify(view) : formatStatusLine(view)}\n`);

        let view = await take();
        if (options.watch !== true) {
          // A rate needs two readings; a campaign that is not running has none to measure.
          if (view.state === 'running' && view.pending > 0) {
            await sleep(1000);
            view = await take();
          }
          return print(view);
        }
        const bar = options.json === true ? undefined : makeStatusBar(process.stdout);
        for (;;) {
          if (bar === undefined) print(view);
          else bar.update(view);
          if (view.state === 'finished' || view.state === 'cancelled') break;
          await sleep(options.interval * 1000);
          view = await take();
        }
        bar?.stop(view);
      });
    });
}
