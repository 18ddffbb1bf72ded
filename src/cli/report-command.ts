import { createWriteStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { Command } from 'commander';
import { stringify } from 'csv-stringify';

import { HeraldError } from '../lib/herald-error.js';
import { plural } from '../lib/plural.js';
import { neutraliseFormula } from '../lib/spreadsheet-cell.js';
import { campaignKind } from '../domain/campaign.js';
import { UsageError } from './usage-error.js';
import { withCampaign } from './with-campaign.js';

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description(
      'Write one CSV row per recipient of a campaign: source line, number, sender, status, Twilio SID, error code ' +
        'and reason, attempts, timestamps, delivery receipt, and whether resend-failed would send it again.',
    )
    .argument('<campaign>', 'campaign name')
    .option('--out <file.csv>', 'write to this file instead of standard output')
    .option(
      '--file <recipients.csv>',
      'the campaign’s recipient file: one row per row of it, in its order, with its columns, refused rows included',
    )
    .option('--encoding <name>', 'with --file: the file’s encoding, as given to herald send')
    .option('--delimiter <char>', 'with --file: the file’s delimiter, as given to herald send')
    .addHelpText(
      'after',
      `
Rows are streamed from Redis a page at a time, so a million-recipient campaign needs no more memory than a small
one. Without --file, one row per recipient of the campaign, in Redis's order; rows refused at ingest are in
<campaign>.rejected.csv. With --file, one row per row of that file, in its order, followed by the file's own
columns: a row refused at ingest has status rejected and its reason, a row repeating an earlier row's number has
status repeated and names that line.

Example:
  herald report spring-sale --out spring-sale.report.csv
  herald report spring-sale --file recipients.csv --out spring-sale.results.csv`,
    )
    .action(
      async (campaign: string, options: { out?: string; file?: string; encoding?: string; delimiter?: string }) => {
        const { parseCsvFormat } = await import('../ingest/csv-format.js');
        const format = parseCsvFormat(options);
        if (!format.ok) throw new UsageError(format.reason);
        await withCampaign(campaign, async ({ connection, keys, record }) => {
          const { readReportRows } = await import('../report/report-rows.js');
          const { REPORT_COLUMNS } = await import('../report/report-row.js');
          const { openFileReport } = await import('../report/file-report.js');
          // The recipient file is opened (and its header checked) before anything is written.
          const source =
            options.file === undefined
              ? { columns: [...REPORT_COLUMNS], rows: readReportRows(connection, keys, record) }
              : await openFileReport(connection, keys, record, options.file, format.format);
          const cannotWrite = (error: unknown) => {
            const code = (error as NodeJS.ErrnoException).code;
            return options.out !== undefined && typeof code === 'string' && code.startsWith('E')
              ? new HeraldError(`cannot write ${options.out}: ${code}`)
              : error;
          };
          // The file is opened before the first read, so a path that cannot be written fails with nothing in flight.
          const output: Writable =
            options.out === undefined
              ? process.stdout
              : await openForWriting(options.out).catch((error: unknown) => {
                  throw cannotWrite(error);
                });
          let rows = 0;
          const counted = (async function* () {
            for await (const row of source.rows) {
              rows += 1;
              yield row;
            }
          })();
          try {
            // Cells a spreadsheet would run as formulas are written as text (lib/spreadsheet-cell.ts).
            const csv = stringify({ header: true, columns: source.columns, cast: { string: neutraliseFormula } });
            await pipeline(Readable.from(counted), csv, output, {
              end: options.out !== undefined,
            });
          } catch (error) {
            // A write that failed midway leaves the reader where it was; it must finish its round trip before the
            // connection closes, or the command it has in flight fails on the closed connection.
            await counted.return(undefined).catch(() => undefined);
            throw cannotWrite(error);
          }
          if (options.out !== undefined) {
            const what =
              options.file === undefined ? plural(rows, 'recipient') : `${plural(rows, 'row')} of ${options.file}`;
            process.stderr.write(`${what} → ${options.out} (${describeKind(campaignKind(record.spec))})\n`);
          }
        });
      },
    );
}

/** A write stream on `path` once the file is open, or the open's error (a missing folder, no permission). */
function openForWriting(path: string): Promise<Writable> {
  const stream = createWriteStream(path);
  return new Promise((resolve, reject) => {
    stream.once('open', () => {
      stream.off('error', reject);
      resolve(stream);
    });
    stream.once('error', reject);
  });
}

/** The rules the campaign was sent under, as the report's last line says them. */
function describeKind(kind: 'transactional' | 'marketing'): string {
  return kind === 'transactional'
    ? 'a transactional campaign: no quiet hours, no frequency cap'
    : 'a marketing campaign: US quiet hours and the frequency cap applied';
}
