import { createWriteStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { Command } from 'commander';
import { stringify } from 'csv-stringify';

import { HeraldError } from '../lib/herald-error.js';
import { neutraliseFormula } from '../lib/spreadsheet-cell.js';
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
    .addHelpText(
      'after',
      `
Rows are streamed from Redis a page at a time, so a million-recipient campaign needs no more memory than a small
one. Recipients refused at ingest are not in the campaign; they are in <campaign>.rejected.csv.

Example:
  herald report spring-sale --out spring-sale.report.csv`,
    )
    .action(async (campaign: string, options: { out?: string }) => {
      await withCampaign(campaign, async ({ connection, keys, record }) => {
        const { readReportRows } = await import('../report/report-rows.js');
        const { REPORT_COLUMNS } = await import('../report/report-row.js');
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
          for await (const row of readReportRows(connection, keys, record)) {
            rows += 1;
            yield row;
          }
        })();
        try {
          // Cells a spreadsheet would run as formulas are written as text (lib/spreadsheet-cell.ts).
          const csv = stringify({ header: true, columns: [...REPORT_COLUMNS], cast: { string: neutraliseFormula } });
          await pipeline(Readable.from(counted), csv, output, {
            end: options.out !== undefined,
          });
        } catch (error) {
          // A write that failed midway leaves the reader where it was; it must finish its round trip before the
          // connection closes, or the command it has in flight fails on the closed connection.
          await counted.return(undefined).catch(() => undefined);
          throw cannotWrite(error);
        }
        if (options.out !== undefined) process.stderr.write(`${rows} recipients → ${options.out}\n`);
      });
    });
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
