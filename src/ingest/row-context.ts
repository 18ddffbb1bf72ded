import { prepareSenderPool, selectCandidates, type SenderPool } from '../domain/assign-sender.js';
import type { CampaignSpec } from '../domain/campaign.js';
import { type ParsedTemplates, parseMessageTemplates } from '../domain/template.js';

/** The optional column that chooses a row's channel (`sms`, `mms` or `whatsapp`). */
export const CHANNEL_COLUMN = 'channel';

/** Everything {@link planRow} needs that is the same for every row of a file, worked out once per file. */
export interface RowContext {
  readonly spec: CampaignSpec;
  readonly columns: readonly string[];
  readonly templates: ParsedTemplates;
  /** The columns a row is read for: template variables, the recipient and the channel column. */
  readonly readColumns: ReadonlySet<string>;
  /** A short row is accepted when it has at least this many fields: it then lacks none of `readColumns`. */
  readonly minFieldCount: number;
  readonly pool: SenderPool;
}

export type RowContextPrep = { ok: true; context: RowContext } | { ok: false; reason: string };

/**
 * Checks a file's header against its campaign and prepares the per-row work. Problems that would fail every
 * row (a missing recipient column, a template variable with no column) fail here, once, with one line.
 */
export function prepareRowContext(spec: CampaignSpec, columns: readonly string[]): RowContextPrep {
  const listed = columns.join(', ');
  const duplicate = columns.find((column, index) => columns.indexOf(column) !== index);
  if (duplicate !== undefined) return { ok: false, reason: `duplicate column "${duplicate}" in the header` };
  if (!columns.includes(spec.toColumn)) {
    return { ok: false, reason: `no recipient column "${spec.toColumn}" (columns: ${listed})` };
  }
  const parsed = parseMessageTemplates(spec.templates);
  if (!parsed.ok) return parsed;
  const { templates } = parsed;
  for (const name of templates.variables) {
    if (!columns.includes(name)) {
      return { ok: false, reason: `template variable {{${name}}} is not a column (columns: ${listed})` };
    }
  }
  if (spec.senders.length === 0) return { ok: false, reason: 'the campaign has no senders' };
  const pool = prepareSenderPool(spec.senders);
  const hasChannelColumn = columns.includes(CHANNEL_COLUMN);
  if (spec.channel !== undefined && !hasChannelColumn && selectCandidates(pool, spec.channel).length === 0) {
    return { ok: false, reason: `no sender in the pool can send ${spec.channel}` };
  }

  const readColumns = new Set([...templates.variables, spec.toColumn, ...(hasChannelColumn ? [CHANNEL_COLUMN] : [])]);
  const minFieldCount = Math.max(...[...readColumns].map((column) => columns.indexOf(column) + 1));
  return { ok: true, context: { spec, columns, templates, readColumns, minFieldCount, pool } };
}
