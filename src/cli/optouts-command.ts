import type { Command } from 'commander';

import { type CountryCode, isCountryCode, parsePhone } from '../domain/e164.js';
import type { OptOutList } from '../compliance/opt-out-list.js';
import type { RedisClient } from '../redis/redis-connection.js';
import type { Keys } from '../store/keys.js';
import { withCampaignStore } from './campaign-connection.js';
import { UsageError } from './usage-error.js';

/** Runs a subcommand with the opt-out list, connected as every command is (campaign-connection.ts). */
async function withOptOuts<T>(
  run: (deps: { connection: RedisClient; keys: Keys; optOuts: OptOutList }) => Promise<T>,
): Promise<T> {
  const { OptOutList } = await import('../compliance/opt-out-list.js');
  return withCampaignStore(({ connection, keys }) =>
    run({ connection, keys, optOuts: new OptOutList(connection, keys) }),
  );
}

function countryOption(value: string | undefined): CountryCode | undefined {
  if (value === undefined) return undefined;
  const code = value.toUpperCase();
  if (!isCountryCode(code)) throw new UsageError(`--default-country: ${value} is not a country code such as US or GB`);
  return code;
}

function numberArgument(text: string, defaultCountry?: CountryCode) {
  const parsed = parsePhone(text, defaultCountry);
  if (!parsed.ok) throw new UsageError(parsed.reason);
  return parsed.e164;
}

export function registerOptOutsCommand(program: Command): void {
  const optouts = program
    .command('optouts')
    .description('The installation’s opt-out list: numbers no campaign texts, from any sender, and why.')
    .addHelpText(
      'after',
      `
A number joins the list when it replies STOP (or another opt-out word) to any sender, when Twilio refuses a send to
it with 21610, by import, or by hand; it leaves when it replies START, UNSTOP or YES, or by hand. Every entry keeps
when, how, the reply's words and the sender written to. See docs/compliance.md.

Examples:
  herald optouts list
  herald optouts add +14155550123 --note "asked by phone, ticket 4411"
  herald optouts remove +14155550123
  herald optouts import old-list.csv --column mobile --note "from our previous provider"
  herald optouts export --out opt-outs.csv`,
    );

  optouts
    .command('list')
    .description('Print each number on the list and why it is there.')
    .action(async () => {
      const { describeOptOut } = await import('../compliance/opt-out-record.js');
      await withOptOuts(async ({ optOuts }) => {
        let count = 0;
        for await (const { number, record } of optOuts.entries()) {
          count += 1;
          process.stdout.write(`${number}  ${record === undefined ? 'unreadable record' : describeOptOut(record)}\n`);
        }
        process.stderr.write(`${count} numbers opted out\n`);
      });
    });

  optouts
    .command('add')
    .description('Put a number on the list (an opt-out received another way: by phone, by email, in person).')
    .argument('<number>', 'the number, +<country code>… or national with --default-country')
    .option('--note <text>', 'why, for the record')
    .option('--default-country <code>', 'country of a number written without its country code (US, GB, …)')
    .action(async (text: string, options: { note?: string; defaultCountry?: string }) => {
      const number = numberArgument(text, countryOption(options.defaultCountry));
      await withOptOuts(async ({ optOuts }) => {
        const added = await optOuts.add(number, {
          source: 'operator',
          ...(options.note === undefined ? {} : { note: options.note }),
        });
        const { describeOptOut } = await import('../compliance/opt-out-record.js');
        const record = added ? undefined : await optOuts.recordOf(number);
        process.stdout.write(
          added
            ? `${number} added to the opt-out list\n`
            : `${number} was already on the list (${record === undefined ? 'unreadable record' : describeOptOut(record)}); kept as it was\n`,
        );
      });
    });

  optouts
    .command('remove')
    .description('Take a number off the list (only with the person’s renewed consent).')
    .argument('<number>', 'the number, +<country code>… or national with --default-country')
    .option('--default-country <code>', 'country of a number written without its country code (US, GB, …)')
    .action(async (text: string, options: { defaultCountry?: string }) => {
      const number = numberArgument(text, countryOption(options.defaultCountry));
      await withOptOuts(async ({ optOuts }) => {
        const removed = await optOuts.remove(number);
        process.stdout.write(removed ? `${number} removed from the opt-out list\n` : `${number} was not on the list\n`);
      });
    });

  optouts
    .command('import')
    .description('Add every number of a CSV file to the list; rows without a usable number are reported by line.')
    .argument('<csv>', 'a CSV file with a header row')
    .option('--column <name>', 'the column of numbers', 'phone')
    .option('--note <text>', 'where the list came from, kept on each entry')
    .option('--default-country <code>', 'country of numbers written without their country code (US, GB, …)')
    .action(async (path: string, options: { column: string; note?: string; defaultCountry?: string }) => {
      const defaultCountry = countryOption(options.defaultCountry);
      const { importOptOuts } = await import('../ingest/import-opt-outs.js');
      await withOptOuts(async ({ connection, keys }) => {
        const summary = await importOptOuts(connection, keys, path, {
          column: options.column,
          ...(options.note === undefined ? {} : { note: options.note }),
          ...(defaultCountry === undefined ? {} : { defaultCountry }),
          onBadRow: (line, reason) => process.stderr.write(`line ${line}: ${reason}\n`),
        });
        process.stdout.write(
          `${summary.added} added, ${summary.present} already on the list, ${summary.bad} rows refused\n`,
        );
      });
    });

  optouts
    .command('export')
    .description('Write the list as CSV: number, when, source, text, sender, note.')
    .option('--out <file>', 'write to this file instead of standard output')
    .action(async (options: { out?: string }) => {
      const { writeOptOutsCsv } = await import('./write-opt-outs-csv.js');
      await withOptOuts(async ({ optOuts }) => {
        const count = await writeOptOutsCsv(optOuts.entries(), options.out);
        if (options.out !== undefined) process.stderr.write(`${count} numbers → ${options.out}\n`);
      });
    });
}
