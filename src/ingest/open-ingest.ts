import type { CampaignRecord } from '../queue/campaign-store.js';
import { SenderPacer } from '../queue/sender-pacer.js';
import { senderId } from '../domain/sender.js';
import { IngestError } from './ingest-error.js';
import { type CsvFile, openCsv } from './read-csv.js';
import { RejectedReport } from './rejected-report.js';
import { prepareRowContext, type RowContext } from './row-context.js';
import type { IngestDeps, IngestOptions } from './run-ingest.js';

export interface OpenedIngest {
  csv: CsvFile;
  context: RowContext;
  report: RejectedReport;
  record: CampaignRecord;
}

/**
 * Everything an ingest needs before its first row, in the order that fails soonest and leaves least behind: the
 * file and its header (nothing in Redis yet), the rejected file (a path that cannot be written fails before
 * anything is queued), then the campaign and its senders' rates.
 */
export async function openIngest(deps: IngestDeps, options: IngestOptions): Promise<OpenedIngest> {
  const csv = await openCsv(options.file, options.format).catch((error: unknown) => {
    throw new IngestError(error instanceof Error ? error.message : String(error));
  });
  const prepared = prepareRowContext(options.spec, csv.columns);
  if (!prepared.ok) throw new IngestError(prepared.reason);
  const report = await RejectedReport.open(options.rejectedPath, csv.columns, csv.delimiter);
  try {
    const { record } = await deps.store.open(
      options.spec,
      options.startAt === undefined ? {} : { startAt: options.startAt },
    );
    // A rate given for a sender applies to every campaign and process using it (see queue/sender-pacer.ts).
    const pacer = new SenderPacer(deps.connection, deps.keys);
    for (const { sender, mps } of options.spec.senders) {
      if (mps !== undefined) await pacer.setRate(senderId(sender), mps);
    }
    return { csv, context: prepared.context, report, record };
  } catch (error) {
    await report.abandon();
    throw error;
  }
}
