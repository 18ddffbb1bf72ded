import { assignSender } from '../domain/assign-sender.js';
import { type Channel, isChannel, type MessageContent, paceCost } from '../domain/channel.js';
import { composeMessage, renderMediaUrls } from '../domain/compose-message.js';
import { type PhoneParse, parsePhone } from '../domain/e164.js';
import { makeTemplateVars } from '../domain/template.js';
import type { SendJobData } from '../store/send-job.js';
import { refuseWithoutConsent } from './consent.js';
import type { RowContext } from './row-context.js';

/** One parsed CSV record, as the CSV parser gave it. */
export interface CsvRow {
  /** 1-based line on which the record starts (a quoted field may span lines). */
  line: number;
  /** The row's cells in header order; a short row lacks the last ones. */
  fields: readonly string[];
}

export type RowPlan =
  | { ok: true; job: SendJobData; senderId: string; content: MessageContent }
  /** `consent`: refused for want of consent (`--consent-column`), which the dry run counts apart. */
  | { ok: false; line: number; reason: string; consent?: true };

/**
 * Validates one row and turns it into a send job, or says why it cannot be sent. Pure and deterministic:
 * the producer runs it on every row before anything is queued, and what it renders here is what the worker
 * renders again from the job's `vars` at send time. `checked`: the recipient's parsePhone answer when it was
 * already worked out (the ingest checks numbers on a thread of their own, checked-rows.ts).
 */
export function planRow(context: RowContext, row: CsvRow, checked?: PhoneParse): RowPlan {
  const { fields, line } = row;
  const refuse = (reason: string): RowPlan => ({ ok: false, line, reason });

  // First: a row without consent is refused for that, even when it is also short of its last cells.
  const { consentColumn } = context.spec;
  if (context.consentIndex !== undefined && consentColumn !== undefined) {
    const noConsent = refuseWithoutConsent(fields[context.consentIndex], consentColumn);
    if (noConsent !== undefined) return { ok: false, line, reason: noConsent, consent: true };
  }
  const fieldProblem = checkFieldCount(context, fields.length);
  if (fieldProblem !== undefined) return refuse(fieldProblem);
  const { toColumn, defaultCountry } = context.spec;
  const rawTo = fields[context.toIndex];
  if (rawTo === undefined) return refuse(`missing column ${toColumn}`);
  if (rawTo.trim() === '') return refuse(`empty ${toColumn}`);
  const phone = checked ?? parsePhone(rawTo, defaultCountry);
  if (!phone.ok) return refuse(phone.reason);

  const vars = makeTemplateVars(context.variables.map(([name, index]) => [name, fields[index] ?? '']));
  const channel = chooseChannel(context, fields, vars);
  if (!channel.ok) return refuse(channel.reason);
  const assigned = assignSender(context.pool, channel.channel, phone.e164);
  if (!assigned.ok) return refuse(assigned.reason);
  const composed = composeMessage({
    templates: context.templates,
    vars,
    channel: channel.channel,
    country: phone.country,
    sender: assigned.entry.sender,
  });
  if (!composed.ok) return refuse(composed.reason);

  const { content } = composed;
  const job: SendJobData = { line, to: phone.e164, channel: channel.channel, segments: paceCost(content), vars };
  return { ok: true, job, senderId: assigned.senderId, content };
}

/**
 * A row with extra fields is refused: a stray comma has shifted its values. A short row is accepted when
 * only columns nobody reads are missing, as spreadsheets drop trailing empty cells on export.
 */
function checkFieldCount(context: RowContext, fieldCount: number): string | undefined {
  const headerCount = context.columns.length;
  if (fieldCount === headerCount) return undefined;
  const counts = `row has ${fieldCount} field${fieldCount === 1 ? '' : 's'}, header has ${headerCount}`;
  if (fieldCount > headerCount) return counts;
  if (fieldCount >= context.minFieldCount) return undefined;
  const missing = context.columns.filter((_, index) => index >= fieldCount && context.readIndexes.has(index));
  return `${counts} (missing ${missing.join(', ')})`;
}

type ChannelChoice = { ok: true; channel: Channel } | { ok: false; reason: string };

/**
 * The row's `channel` column wins, then the campaign's channel. With neither, the content decides: WhatsApp
 * when the pool has only WhatsApp senders, MMS when the row has media, else SMS. A mixed pool never infers
 * WhatsApp, since the same content could go either way; such rows must say `whatsapp`.
 */
function chooseChannel(
  context: RowContext,
  fields: readonly string[],
  vars: Readonly<Record<string, string>>,
): ChannelChoice {
  const given = (context.channelIndex === undefined ? '' : (fields[context.channelIndex] ?? '')).trim();
  if (given !== '') {
    const named = given.toLowerCase();
    return isChannel(named)
      ? { ok: true, channel: named }
      : { ok: false, reason: `unknown channel "${given}" (expected sms, mms or whatsapp)` };
  }
  if (context.spec.channel !== undefined) return { ok: true, channel: context.spec.channel };
  if (context.pool.text.length === 0) return { ok: true, channel: 'whatsapp' };
  return { ok: true, channel: renderMediaUrls(context.templates, vars).length > 0 ? 'mms' : 'sms' };
}
