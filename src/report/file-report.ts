import type { Channel } from '../domain/channel.js';
import type { E164 } from '../domain/e164.js';
import type { CsvFormat } from '../ingest/csv-format.js';
import { planRow } from '../ingest/plan-row.js';
import { openCsv } from '../ingest/read-csv.js';
import { prepareRowContext } from '../ingest/row-context.js';
import { IngestError } from '../ingest/run-ingest.js';
import type { CampaignRecord } from '../queue/campaign-store.js';
import type { Keys } from '../store/keys.js';
import { OptOutList } from '../compliance/opt-out-list.js';
import type { RedisClient } from '../redis/redis-connection.js';
import { listFileReportColumns, formatFileRow } from './file-row.js';
import { readRecipients } from './ledger-pages.js';
import { openPendingJobs } from './report-rows.js';

/** A row of the file as the ingest's checks see it, before its number is looked up in the campaign. */
type CheckedRow = { line: number; fields: readonly string[] } & (
  { kind: 'refused'; number: string; reason: string } | { kind: 'planned'; to: string; channel: Channel }
);

/** Rows of the file looked up together: one round trip of each kind per chunk. */
const CHUNK = 500;

/**
 * `herald report --file`: one row per row of the campaign's recipient file, in the file's order, with the file's
 * columns beside the report's, refused rows included with their reasons. The file is read again as the ingest read
 * it (the same checks, a chunk at a time, so memory stays flat) and each row's number looked up in the campaign.
 */
export async function openFileReport(
  connection: RedisClient,
  keys: Keys,
  record: CampaignRecord,
  file: string,
  format: CsvFormat,
): Promise<{ columns: string[]; rows: AsyncGenerator<Record<string, string>> }> {
  const csv = await openCsv(file, format).catch((error: unknown) => {
    throw new IngestError(error instanceof Error ? error.message : String(error));
  });
  const prepared = prepareRowContext(record.spec, csv.columns);
  if (!prepared.ok) throw new IngestError(`${file} is not this campaign's file: ${prepared.reason}`);
  const { context } = prepared;
  const { toIndex } = context;
  const optOuts = new OptOutList(connection, keys);

  async function* rows(): AsyncGenerator<Record<string, string>> {
    const jobs = openPendingJobs(connection, keys, record);
    let chunk: CheckedRow[] = [];
    const flush = async (): Promise<Record<string, string>[]> => {
      const planned = chunk.flatMap((row) => (row.kind === 'planned' ? [row.to] : []));
      const [recipients, optedOut] = await Promise.all([
        readRecipients(connection, keys, record.spec.name, planned),
        optOuts.whichOptedOut(planned as E164[]),
      ]);
      const found = await jobs.of(recipients.flatMap((item) => (item === undefined ? [] : [item])));
      const pending = recipients.map((item) => (item === undefined ? undefined : found.get(item.entry.to)));
      let index = 0;
      const out = chunk.map((row) => {
        if (row.kind === 'refused') return formatFileRow(row, csv.columns);
        const at = index++;
        return formatFileRow(
          { ...row, recipient: recipients[at], pending: pending[at], optedOut: optedOut[at] ?? false },
          csv.columns,
        );
      });
      chunk = [];
      return out;
    };
    try {
      for await (const item of csv.items) {
        if (item.kind === 'unreadable') {
          chunk.push({ kind: 'refused', line: item.line, fields: [], number: '', reason: item.reason });
        } else {
          const plan = planRow(context, item);
          chunk.push(
            plan.ok
              ? { kind: 'planned', line: item.line, fields: item.fields, to: plan.job.to, channel: plan.job.channel }
              : {
                  kind: 'refused',
                  line: item.line,
                  fields: item.fields,
                  number: item.fields[toIndex] ?? '',
                  reason: plan.reason,
                },
          );
        }
        if (chunk.length >= CHUNK) yield* await flush();
      }
      if (chunk.length > 0) yield* await flush();
    } finally {
      await jobs.close();
    }
  }
  return { columns: listFileReportColumns(csv.columns), rows: rows() };
}
