import { describeRecipientHold } from '../compliance/describe-hold.js';
import { describeOptOut } from '../compliance/opt-out-record.js';
import { cureForFailure, cureForUndelivered } from '../twilio-errors/curable.js';
import { describeCode } from '../twilio-errors/twilio-errors.js';
import type { RecipientRecord } from './ledger-pages.js';

/** The columns of `herald report`, in order. */
export const REPORT_COLUMNS = [
  'line',
  'number',
  'channel',
  'sender',
  'status',
  'sid',
  'error_code',
  'error_reason',
  'attempts',
  'queued_at',
  'sent_at',
  'settled_at',
  'receipt_status',
  'receipt_error_code',
  'receipt_error_reason',
  'resendable',
] as const;

export type ReportRow = Record<(typeof REPORT_COLUMNS)[number], string>;

/** What a still-pending recipient's job tells that the ledger does not (settled ones have their detail). */
export interface PendingJob {
  line: number;
  senderId: string;
  channel: string;
  queuedAt: number;
  /** Create calls made so far (BullMQ's attemptsMade: waits for a window, a slot or a hold are not attempts). */
  attempts: number;
}

/** A recipient requeued by resend-failed keeps its earlier detail until it settles again. */
const SETTLED = new Set(['sent', 'failed', 'unknown', 'cancelled']);

/**
 * One recipient's report row: the ledger's state, the details kept when it settled (or its pending job), and the
 * latest delivery receipt. `status` is herald's own (queued, in-flight, sent, failed, unknown, cancelled), and
 * `error_code`/`error_reason` say why the send failed; what the carrier said later comes in the receipt columns
 * only, so an undelivered receipt never reads as the send's error. Pure.
 */
export function formatReportRow(
  { entry, detail, receipt, hold, optOut }: RecipientRecord,
  pending?: PendingJob,
): ReportRow {
  const known = detail ?? pending;
  const row: ReportRow = {
    line: known === undefined ? '' : String(known.line),
    number: entry.to,
    channel: known?.channel ?? '',
    sender: known?.senderId ?? (entry.state === 'queued' ? entry.senderId : ''),
    status: entry.state,
    sid: '',
    error_code: '',
    error_reason: '',
    attempts: known === undefined ? '' : String(known.attempts),
    queued_at: known === undefined ? '' : isoTime(known.queuedAt),
    sent_at: '',
    settled_at: detail === undefined || !SETTLED.has(entry.state) ? '' : isoTime(detail.settledAt),
    receipt_status: receipt?.status ?? '',
    receipt_error_code: receipt === undefined || receipt.code === 'none' ? '' : receipt.code,
    receipt_error_reason: '',
    resendable: '',
  };
  switch (entry.state) {
    case 'sent': {
      row.sid = entry.sid;
      if (detail !== undefined) row.sent_at = isoTime(detail.settledAt);
      if (receipt !== undefined && ['undelivered', 'failed'].includes(receipt.status)) {
        const cure = cureForUndelivered(receipt.code);
        row.receipt_error_reason = cure.reason;
        row.resendable = cure.curable ? 'yes' : 'no';
      } else {
        row.resendable = 'no';
      }
      break;
    }
    case 'failed': {
      const cure = cureForFailure(entry.code);
      row.error_code = entry.code;
      // Why it was not sent: the opt-out on record (who, when, the words), while the number is on the list.
      row.error_reason = optOut === undefined ? cure.reason : `recipient ${describeOptOut(optOut)}`;
      row.resendable = cure.curable ? 'yes' : 'no';
      break;
    }
    case 'unknown':
      row.error_code = entry.reason;
      row.error_reason = describeCode(entry.reason).reason;
      row.resendable = 'no';
      break;
    case 'cancelled':
      row.error_reason = 'the campaign was cancelled before this recipient was sent';
      row.resendable = 'no';
      break;
    case 'in-flight':
      row.error_reason = `in flight since ${isoTime(entry.since)}`;
      break;
    case 'queued':
      // Waiting for a compliance rule: which, and until when (the last hold; one whose time passed waits its turn).
      if (hold !== undefined) {
        row.error_code = hold.reason;
        row.error_reason = `held: ${describeRecipientHold(hold)}`;
      }
      break;
  }
  return row;
}

function isoTime(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}
