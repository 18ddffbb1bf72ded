import type { Command } from 'commander';

import type { CampaignName } from '../domain/campaign.js';
import type { CampaignControl } from '../queue/campaign-control.js';
import { HeraldError } from '../lib/herald-error.js';
import { plural } from '../lib/plural.js';
import { campaignArgument, requireCampaign, withCampaignStore } from './campaign-connection.js';
import { UsageError } from './usage-error.js';

interface WaitOptions {
  wait?: boolean;
  timeout: number;
}

/** `--wait` ran out of time with sends still in flight. */
class WaitTimeoutError extends HeraldError {
  override name = 'WaitTimeoutError';
}

const POLL_MS = 100;

const PAST = { pause: 'paused', resume: 'resumed', cancel: 'cancelled' } as const;

function parseSeconds(text: string): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout must be a number of seconds above 0`);
  return seconds;
}

/** Waits until no worker holds a job of the campaign: every send that had begun has settled. */
async function waitForIdle(control: CampaignControl, name: CampaignName, timeoutS: number): Promise<void> {
  const deadline = Date.now() + timeoutS * 1000;
  for (let active = await control.activeJobs(name); active > 0; active = await control.activeJobs(name)) {
    if (Date.now() > deadline) {
      throw new WaitTimeoutError(`campaign ${name}: ${active} sends still in flight after ${timeoutS} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function runControl(
  campaign: string,
  action: 'pause' | 'resume' | 'cancel',
  options: WaitOptions,
): Promise<void> {
  const name = campaignArgument(campaign);
  await withCampaignStore(async ({ connection, keys, store, clock }) => {
    await requireCampaign(store, name);
    const { CampaignControl } = await import('../queue/campaign-control.js');
    const control = new CampaignControl(connection, keys, store, clock);
    const result = await control[action](name);
    const lines: string[] = [];
    if (!result.changed) lines.push(`${name}: already ${result.state}`);
    else if (action === 'pause')
      lines.push(`${name}: paused; sends already begun finish, nothing more is sent until: herald resume ${name}`);
    else if (action === 'resume') lines.push(`${name}: ${result.state}`);
    else
      lines.push(`${name}: cancelled; ${plural(result.cancelled ?? 0, 'recipient')} still queued will not be texted`);
    if (options.wait === true && action !== 'resume') {
      await waitForIdle(control, name, options.timeout);
      const counts = await store.counts(name);
      lines.push(
        `${name}: no sends in flight — sent ${counts['sent']}, failed ${counts['failed']}, ` +
          `unknown ${counts['unknown']}, cancelled ${counts['cancelled']} of ${counts['queued']} queued`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }, `${name} was not ${PAST[action]}`);
}

function addWaitOptions(command: Command): Command {
  return command
    .option('--wait', 'return only once the sends already in flight have finished')
    .option('--timeout <seconds>', 'longest --wait waits (then exit 1)', parseSeconds, 60);
}

export function registerControlCommands(program: Command): void {
  addWaitOptions(
    program
      .command('pause')
      .description('Pause a campaign in every worker process: sends already begun finish, the rest wait until resume.')
      .argument('<campaign>', 'campaign name'),
  )
    .addHelpText('after', '\nExample:\n  herald pause spring-sale --wait\n  herald resume spring-sale')
    .action((campaign: string, options: WaitOptions) => runControl(campaign, 'pause', options));

  program
    .command('resume')
    .description('Resume a paused campaign where it stopped; nobody is texted twice.')
    .argument('<campaign>', 'campaign name')
    .addHelpText('after', '\nExample:\n  herald resume spring-sale')
    .action((campaign: string) => runControl(campaign, 'resume', { timeout: 0 }));

  addWaitOptions(
    program
      .command('cancel')
      .description(
        'Cancel a campaign: its queued recipients are marked cancelled and never texted; sends already begun finish.',
      )
      .argument('<campaign>', 'campaign name'),
  )
    .addHelpText(
      'after',
      '\nA cancelled campaign cannot be resumed or sent again under the same name.\n\nExample:\n  herald cancel spring-sale --wait',
    )
    .action((campaign: string, options: WaitOptions) => runControl(campaign, 'cancel', options));
}
