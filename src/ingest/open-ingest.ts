import type { CampaignRecord } from '../queue/campaign-store.js';
import { assignLanes } from '../domain/lanes.js';
import { settingsOf } from '../domain/rate-group.js';
import { RateGroupsStore } from '../rate/rate-groups-store.js';
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
 * anything is queued), its senders' limits and groups (one that names a group that does not exist stops here), then
 * the campaign, with its senders' lanes (domain/lanes.ts).
 */
export async function openIngest(deps: IngestDeps, options: IngestOptions): Promise<OpenedIngest> {
  const csv = await openCsv(options.file, options.format).catch((error: unknown) => {
    throw new IngestError(error instanceof Error ? error.message : String(error));
  });
  const prepared = prepareRowContext(options.spec, csv.columns);
  if (!prepared.ok) throw new IngestError(prepared.reason);
  const report = await RejectedReport.open(options.rejectedPath, csv.columns, csv.delimiter);
  try {
    // A limit or group given for a sender applies to every campaign and process using it (rate-groups-store.ts).
    const groups = new RateGroupsStore(deps.connection, deps.keys);
    await groups.setSenders(settingsOf(options.spec.senders));
    // The lanes are fixed when the campaign is created: a re-run keeps the stored spec's, so a sender's recipients
    // never end up in two queues.
    const lanes = assignLanes(options.spec.senders, await groups.read());
    const { record } = await deps.store.open(
      { ...options.spec, lanes },
      options.startAt === undefined ? {} : { startAt: options.startAt },
    );
    return { csv, context: prepared.context, report, record };
  } catch (error) {
    await report.abandon();
    throw error;
  }
}
