import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import type { Command } from 'commander';

import type { CampaignSpec } from '../domain/campaign.js';
import { withCampaignStore } from './campaign-connection.js';
import { buildCampaignSpec, parseSendersFile, type SendOptions } from './campaign-options.js';
import { formatIngestSummary } from './format-summary.js';
import { makeIngestReporter } from './ingest-progress.js';
import { parseSendAt } from './parse-send-at.js';
import { UsageError } from './usage-error.js';

const collect = (value: string, previous: string[]) => [...previous, value];

type SendCommandOptions = SendOptions & {
  rejected?: string;
  chunkSize: number;
  senders?: string;
  sendAt?: string;
  dryRun?: boolean;
  prices?: string;
  show: number;
};

/** `--dry-run`: reads and checks the whole file with no Redis at all, and prints what would be sent. */
async function runDryRun(file: string, spec: CampaignSpec, options: SendCommandOptions): Promise<void> {
  if (!Number.isInteger(options.show) || options.show < 0) throw new UsageError('--show must be a whole number');
  const [{ dryRun }, { formatDryRun }, { EXAMPLE_PRICES, parsePriceTable }] = await Promise.all([
    import('../estimate/dry-run.js'),
    import('../estimate/format-dry-run.js'),
    import('../estimate/price-table.js'),
  ]);
  let prices = EXAMPLE_PRICES;
  if (options.prices !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.prices, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new UsageError(`cannot read price table ${options.prices}: ${code}`);
    }
    const parsed = parsePriceTable(text);
    if (!parsed.ok) throw new UsageError(`price table ${options.prices}: ${parsed.reason}`);
    prices = parsed.table;
  }
  const result = await dryRun({
    file,
    spec,
    prices,
    samples: options.show,
    onRejected: (line, reason) => process.stderr.write(`line ${line}: ${reason}\n`),
  });
  process.stdout.write(formatDryRun(spec.name, result));
}

function readSendersFile(path: string): NonNullable<SendOptions['senderRows']> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read senders file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const parsed = parseSendersFile(text);
  if (!parsed.ok) throw new UsageError(`${path}: ${parsed.reason}`);
  return parsed.rows;
}

export function registerSendCommand(program: Command): void {
  program
    .command('send')
    .description('Stream a recipient CSV into a campaign’s queues; running workers send it.')
    .argument('<file>', 'recipient CSV: a header row, a phone column, any other columns as template variables')
    .requiredOption('--campaign <name>', 'campaign name (letters, digits, . _ -); re-running resumes it')
    .option('--from <sender>', 'sender: +E.164, short code, whatsapp:+E.164 or MG… (repeat for a pool)', collect, [])
    .option(
      '--mps <n>',
      'rate of every --from sender in messages (SMS: segments) per second, instead of its kind’s default',
      Number,
    )
    .option('--senders <file>', 'senders file for a pool: CSV with a sender column and an optional mps column')
    .option('--body <template>', 'message body, a Mustache template: "Hi {{first_name}}"')
    .option(
      '--media <url>',
      'media URL template (repeat; MMS takes up to 10, WhatsApp 1); a row with media and no channel is MMS',
      collect,
      [],
    )
    .option('--channel <channel>', 'force sms, mms or whatsapp (default: a row’s channel column, else inferred)')
    .option('--content-sid <HX…>', 'WhatsApp Content Template to send instead of a body')
    .option('--content-variables <json>', 'its variables from columns: \'{"1":"{{first_name}}"}\'')
    .option('--to-column <name>', 'column holding the recipient’s number', 'phone')
    .option('--default-country <CC>', 'ISO country for numbers written without +country code, e.g. US')
    .option('--rejected <path>', 'where to write refused rows (default: ./<campaign>.rejected.csv)')
    .option('--chunk-size <n>', 'jobs per Redis round trip', (text) => Number.parseInt(text, 10), 1000)
    .option('--send-at <time>', 'start sending at this time: ISO 8601 (2026-12-01T09:00:00Z) or a delay (+30m, +2h)')
    .option(
      '--window <HH:MM-HH:MM>',
      'send only between these hours of each recipient’s local time, from their number (e.g. 09:00-20:00)',
    )
    .option('--dry-run', 'check the whole file and print what would be sent, its segments, cost and duration')
    .option('--prices <file>', 'with --dry-run: price table (JSON) for the cost estimate, instead of the example one')
    .option('--show <n>', 'with --dry-run: how many rendered messages to print', (text) => Number.parseInt(text, 10), 3)
    .addHelpText(
      'after',
      `
Example:
  herald send recipients.csv --campaign spring-sale --from +14155550100 --from +14155550101 \\
    --body "Hi {{first_name}}, your code is {{code}}" --default-country US
  herald send recipients.csv --campaign alerts --senders senders.csv --body "Outage at {{site}}"
  herald send recipients.csv --campaign black-friday --from +14155550100 --body "Sale starts now" \
    --send-at 2026-11-27T14:00:00Z --window 09:00-20:00
  herald send recipients.csv --campaign spring-sale --from +14155550100 --body "Hi {{first_name}}" --dry-run`,
    )
    .action(async (file: string, options: SendCommandOptions) => {
      const senderRows = options.senders === undefined ? undefined : readSendersFile(options.senders);
      const now = new Date();
      const built = buildCampaignSpec({ ...options, ...(senderRows === undefined ? {} : { senderRows }) }, now);
      if (!built.ok) throw new UsageError(built.reason);
      const sendAt = options.sendAt === undefined ? undefined : parseSendAt(options.sendAt, now);
      if (sendAt !== undefined && !sendAt.ok) throw new UsageError(sendAt.reason);
      if (!Number.isInteger(options.chunkSize) || options.chunkSize < 1)
        throw new UsageError('--chunk-size must be a positive whole number');
      if (options.dryRun === true) return runDryRun(file, built.spec, options);
      if (options.prices !== undefined) throw new UsageError('--prices needs --dry-run');
      const progress = makeIngestReporter(file);
      const [{ Ledger }, { runIngest }] = await Promise.all([
        import('../queue/ledger.js'),
        import('../ingest/run-ingest.js'),
      ]);
      await withCampaignStore(async ({ connection, keys, store, clock }) => {
        // Read again by Redis's clock, which the workers' start decision uses: `+2h` is two hours from Redis's now.
        const startAt = options.sendAt === undefined ? undefined : parseSendAt(options.sendAt, new Date(clock.now()));
        if (startAt !== undefined && !startAt.ok) throw new UsageError(startAt.reason);
        const summary = await runIngest(
          { connection, keys, store, ledger: new Ledger(connection, keys) },
          {
            file,
            spec: built.spec,
            rejectedPath: resolve(options.rejected ?? `${built.spec.name}.rejected.csv`),
            chunkSize: options.chunkSize,
            ...(startAt === undefined ? {} : { startAt: startAt.at }),
            onRejected: progress.onRejected,
            onProgress: progress.onProgress,
          },
        ).finally(() => progress.stop());
        process.stdout.write(formatIngestSummary(built.spec.name, summary));
      }, 'the recipients queued so far stay queued, and running the same command again queues the rest');
    });
}
