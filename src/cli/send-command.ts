import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import type { Command } from 'commander';

import { loadClientConfig } from '../config/load-config.js';
import type { CampaignSpec } from '../domain/campaign.js';
import type { E164 } from '../domain/e164.js';
import type { CsvFormat } from '../ingest/csv-format.js';
import { withCampaignStore } from './campaign-connection.js';
import { buildCampaignSpec, parseSendersFile, type SendOptions } from './campaign-options.js';
import { formatIngestSummary } from './format-summary.js';
import { makeIngestReporter } from './ingest-progress.js';
import { operatorZone } from '../lib/zoned-time.js';
import { parseSendAt } from './parse-send-at.js';
import { readPriceTable } from './read-price-table.js';
import { runTestSend } from './run-test-send.js';
import { UsageError } from './usage-error.js';

const collect = (value: string, previous: string[]) => [...previous, value];

type SendCommandOptions = SendOptions & {
  testTo: string[];
  replace?: boolean;
  rejected?: string;
  chunkSize: number;
  senders?: string;
  sendAt?: string;
  dryRun?: boolean;
  prices?: string;
  show: number;
  encoding?: string;
  delimiter?: string;
};

/**
 * `--dry-run`: reads and checks the whole file, queues nothing, and prints what would be sent. Redis is only read,
 * when it answers, for the rate groups and today's daily counts, so the estimate shows the limits and caps in force.
 */
async function runDryRun(
  file: string,
  spec: CampaignSpec,
  format: CsvFormat,
  options: SendCommandOptions,
  startAt: Date | undefined,
): Promise<void> {
  if (!Number.isInteger(options.show) || options.show < 0) throw new UsageError('--show must be a whole number');
  const [{ dryRun }, { formatDryRun }, prices] = await Promise.all([
    import('../estimate/dry-run.js'),
    import('../estimate/format-dry-run.js'),
    readPriceTable(options.prices),
  ]);
  const redis = await openRedisIfReachable();
  if (redis === undefined) {
    process.stderr.write(
      'herald: Redis not reached: the estimate uses each sender’s own limit, without rate groups, and opt-outs are not counted\n',
    );
  }
  try {
    const limits = redis === undefined ? undefined : await readLimits(redis);
    const optOuts = redis === undefined ? undefined : await openOptOuts(redis);
    const result = await dryRun({
      file,
      spec,
      prices,
      samples: options.show,
      format,
      ...(limits === undefined
        ? {}
        : { groups: limits.groups, usageOf: (group: string) => limits.usage.get(group) ?? { used: 0 } }),
      ...(optOuts === undefined ? {} : { optedOut: (numbers: readonly E164[]) => optOuts.whichOptedOut(numbers) }),
      onRejected: (line, reason) => process.stderr.write(`line ${line}: ${reason}\n`),
      ...(startAt === undefined ? {} : { startAt }),
    });
    process.stdout.write(formatDryRun(spec.name, result, operatorZone(), spec.window));
  } finally {
    await redis?.connection.quit().catch(() => redis.connection.disconnect());
  }
}

/** A connection to the configured Redis and its keys, or undefined when Redis does not answer within a moment. */
async function openRedisIfReachable() {
  const config = loadClientConfig(process.env);
  const [{ connectConfiguredRedis }, { makeKeys }] = await Promise.all([
    import('../redis/redis-connection.js'),
    import('../store/keys.js'),
  ]);
  try {
    const connection = await connectConfiguredRedis(config.redis, { role: 'command', connectTimeoutMs: 2000 });
    return { connection, keys: makeKeys(config.redis.prefix) };
  } catch {
    return undefined;
  }
}

type OpenRedis = NonNullable<Awaited<ReturnType<typeof openRedisIfReachable>>>;

/** The rate groups and today's daily counts. */
async function readLimits({ connection, keys }: OpenRedis) {
  const [{ RateGroupsStore }, { readCapUsage }] = await Promise.all([
    import('../rate/rate-groups-store.js'),
    import('../rate/rate-overview.js'),
  ]);
  const groups = await new RateGroupsStore(connection, keys).read();
  return { groups, usage: await readCapUsage(connection, keys, groups) };
}

async function openOptOuts({ connection, keys }: OpenRedis) {
  const { OptOutList } = await import('../compliance/opt-out-list.js');
  return new OptOutList(connection, keys);
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
    .option('--senders <file>', 'senders file for a pool: CSV with a sender column and optional mps and group columns')
    .option('--body <template>', 'message body, a Mustache template: "Hi {{first_name}}", "Hi {{first_name|there}}"')
    .option(
      '--media <url>',
      'media URL template (repeat; MMS takes up to 10, WhatsApp 1); a row with media and no channel is MMS',
      collect,
      [],
    )
    .option('--channel <channel>', 'force sms, mms or whatsapp (default: a row’s channel column, else inferred)')
    .option('--content-sid <HX…>', 'WhatsApp Content Template to send instead of a body')
    .option('--content-variables <json>', 'its variables from columns: \'{"1":"{{first_name}}"}\'')
    .option('--to-column <name>', 'column holding the recipient’s number (any case: Phone, PHONE…)', 'phone')
    .option(
      '--consent-column <name>',
      'column recording each recipient’s consent: rows where it is empty, no, false, 0 or n are refused',
    )
    .option('--default-country <CC>', 'ISO country for numbers written without +country code, e.g. US')
    .option(
      '--encoding <name>',
      'the file’s encoding when it is not UTF-8 or UTF-16 with a BOM, e.g. windows-1252 (Excel’s “CSV” on Windows)',
    )
    .option('--delimiter <char>', 'the file’s delimiter, e.g. ";" or tab (default: found from the header row)')
    .option('--rejected <path>', 'where to write refused rows (default: ./<campaign>.rejected.csv)')
    .option('--chunk-size <n>', 'jobs per Redis round trip', (text) => Number.parseInt(text, 10), 1000)
    .option('--send-at <time>', 'start sending at this time: ISO 8601 (2026-12-01T09:00:00Z) or a delay (+30m, +2h)')
    .option(
      '--window <HH:MM-HH:MM>',
      'send only between these hours of each recipient’s local time, from their number (e.g. 09:00-20:00)',
    )
    .option(
      '--transactional',
      'declare that the campaign is not marketing (codes, receipts, alerts the recipient asked for): US quiet hours ' +
        'and the frequency cap (HERALD_FREQUENCY_CAP) do not apply to it; recorded on the campaign and shown by ' +
        'herald campaigns, status and report',
    )
    .option('--dry-run', 'check the whole file and print what would be sent, its segments, cost and duration')
    .option('--prices <file>', 'with --dry-run: price table (JSON) for the cost estimate, instead of the example one')
    .option('--show <n>', 'with --dry-run: how many rendered messages to print', (text) => Number.parseInt(text, 10), 3)
    .option(
      '--test-to <number>',
      'send the file’s first rendered message to this staff number instead (repeat: the second row to the second ' +
        'number, …); nothing is queued',
      collect,
      [],
    )
    .option(
      '--replace',
      'change a campaign that has not sent anything yet (message, media, senders, --send-at): its queued recipients ' +
        'are cleared and the file queued again',
    )
    .addHelpText(
      'after',
      `
Example:
  herald send recipients.csv --campaign spring-sale --from +14155550100 --from +14155550101 \\
    --body "Hi {{first_name}}, your code is {{code}}" --default-country US
  herald send recipients.csv --campaign alerts --senders senders.csv --body "Outage at {{site}}"
  herald send recipients.csv --campaign black-friday --from +14155550100 --body "Sale starts now" \
    --send-at 2026-11-27T14:00:00Z --window 09:00-20:00
  herald send recipients.csv --campaign spring-sale --from +14155550100 --body "Hi {{first_name}}" --dry-run
  herald send recipients.csv --campaign spring-sale --from +14155550100 --body "Hi {{first_name}}" \
    --test-to +14155550111 --test-to +14155550112
  herald send recipients.csv --campaign black-friday --from +14155550100 --body "Sale starts at 9" \
    --send-at "2026-11-27 09:00" --replace

A time without an offset (--send-at "2026-11-27 09:00") is read in your zone (TZ); times are printed with their zone.`,
    )
    .action(async (file: string, options: SendCommandOptions) => {
      const senderRows = options.senders === undefined ? undefined : readSendersFile(options.senders);
      const now = new Date();
      const built = buildCampaignSpec({ ...options, ...(senderRows === undefined ? {} : { senderRows }) }, now);
      if (!built.ok) throw new UsageError(built.reason);
      const sendAt = options.sendAt === undefined ? undefined : parseSendAt(options.sendAt, now, operatorZone());
      if (sendAt !== undefined && !sendAt.ok) throw new UsageError(sendAt.reason);
      if (!Number.isInteger(options.chunkSize) || options.chunkSize < 1)
        throw new UsageError('--chunk-size must be a positive whole number');
      // iconv-lite (behind the encoding check) takes a tenth of a second to load: only `send` pays for it.
      const { parseCsvFormat } = await import('../ingest/csv-format.js');
      const format = parseCsvFormat(options);
      if (!format.ok) throw new UsageError(format.reason);
      if (options.dryRun === true && options.testTo.length > 0)
        throw new UsageError('--test-to and --dry-run do not go together');
      if (options.dryRun === true) return runDryRun(file, built.spec, format.format, options, sendAt?.at);
      if (options.testTo.length > 0) {
        if (options.replace === true) throw new UsageError('--test-to and --replace do not go together');
        return runTestSend(file, built.spec, format.format, options.testTo);
      }
      if (options.prices !== undefined) throw new UsageError('--prices needs --dry-run');
      const progress = makeIngestReporter(file);
      const [{ Ledger }, { runIngest }] = await Promise.all([
        import('../store/ledger.js'),
        import('../ingest/run-ingest.js'),
      ]);
      await withCampaignStore(async ({ connection, keys, store, clock }) => {
        // Read again by Redis's clock, which the workers' start decision uses: `+2h` is two hours from Redis's now.
        const startAt =
          options.sendAt === undefined ? undefined : parseSendAt(options.sendAt, new Date(clock.now()), operatorZone());
        if (startAt !== undefined && !startAt.ok) throw new UsageError(startAt.reason);
        if (options.replace === true) {
          const { clearUnstartedCampaign } = await import('../lifecycle/replace-campaign.js');
          await clearUnstartedCampaign(connection, keys, store, built.spec.name, operatorZone());
        }
        const summary = await runIngest(
          { connection, keys, store, ledger: new Ledger(connection, keys) },
          {
            file,
            spec: built.spec,
            rejectedPath: resolve(options.rejected ?? `${built.spec.name}.rejected.csv`),
            chunkSize: options.chunkSize,
            format: format.format,
            ...(startAt === undefined ? {} : { startAt: startAt.at }),
            onRejected: progress.onRejected,
            onProgress: progress.onProgress,
          },
        ).finally(() => progress.stop());
        const { describeSending, readSendingOutlook } = await import('../status/sending-outlook.js');
        const outlook = await readSendingOutlook(connection, keys, built.spec);
        const startsAt = summary.startAt === undefined ? undefined : Date.parse(summary.startAt);
        const sending = describeSending(built.spec.name, outlook, operatorZone(), startsAt, built.spec.window);
        process.stdout.write(formatIngestSummary(built.spec.name, summary, sending));
      }, 'the recipients queued so far stay queued, and running the same command again queues the rest');
    });
}
