import type { Channel } from '../domain/channel.js';
import type { RecipientRecord } from './ledger-pages.js';
import { formatReportRow, type PendingJob, REPORT_COLUMNS, type ReportRow } from './report-row.js';

/** What is known of one row of the campaign's file, for `herald report --file`. */
export type FileRowFacts = { line: number; fields: readonly string[] } &
  /** The parser could not read the row, or the row could not be sent (a bad number, a missing column, …). */
  (
    | { kind: 'refused'; number: string; reason: string }
    /** A sendable row, with what the campaign holds for its number (nothing if it was never queued). */
    | {
        kind: 'planned';
        to: string;
        channel: Channel;
        recipient: RecipientRecord | undefined;
        pending: PendingJob | undefined;
        /** Whether the number is on the opt-out list now. */
        optedOut: boolean;
      }
  );

/**
 * The report's columns followed by the file's own, each file column under its own name unless the report already
 * uses it (then `file_<name>`), so that one file holds both what happened and the row as it was given.
 */
export function listFileReportColumns(fileColumns: readonly string[]): string[] {
  const taken = new Set<string>(REPORT_COLUMNS);
  return [...REPORT_COLUMNS, ...fileColumns.map((column) => (taken.has(column) ? `file_${column}` : column))];
}

const EMPTY: ReportRow = Object.fromEntries(REPORT_COLUMNS.map((column) => [column, ''])) as ReportRow;

/**
 * One row of the file as the report tells it, in the file's own order. A row the campaign sent to is its recipient's
 * report row. A row repeating a number that an earlier row (of this file or another) took is `repeated`, pointing at
 * that line; on another channel the ingest refused it, as it says. A row refused at ingest is `rejected` with its
 * reason: the same check the ingest ran, or the opt-out list, which refused it if it holds the number now. A sendable
 * row whose number is not in the campaign was never queued (the file was not sent, or not to its end). Pure.
 */
export function formatFileRow(facts: FileRowFacts, fileColumns: readonly string[]): Record<string, string> {
  const outputColumns = fileColumns.length === 0 ? [] : listFileReportColumns(fileColumns).slice(REPORT_COLUMNS.length);
  const own = Object.fromEntries(outputColumns.map((column, index) => [column, facts.fields[index] ?? '']));
  const line = String(facts.line);
  if (facts.kind === 'refused') {
    return { ...EMPTY, line, number: facts.number, status: 'rejected', error_reason: facts.reason, ...own };
  }
  const { recipient, to, channel } = facts;
  if (recipient === undefined) {
    const why = facts.optedOut
      ? { status: 'rejected', error_reason: 'recipient opted out (replied STOP to an earlier message)' }
      : { status: 'not-queued', error_reason: 'not in the campaign: the file was not sent, or not to this row' };
    return { ...EMPTY, line, number: to, channel, ...why, ...own };
  }
  const row = formatReportRow(recipient, facts.pending);
  if (row.line !== '' && row.line !== line) {
    const other = row.channel !== '' && row.channel !== channel;
    return {
      ...EMPTY,
      line,
      number: to,
      channel,
      status: other ? 'rejected' : 'repeated',
      error_reason: other
        ? `recipient already in this campaign on another channel (line ${row.line})`
        : `same number as line ${row.line}, which holds its outcome: sent once`,
      ...own,
    };
  }
  return { ...row, line, ...own };
}
