import { prepareSenderPool, selectCandidates, type SenderPool } from '../domain/assign-sender.js';
import type { CampaignSpec } from '../domain/campaign.js';
import { type ParsedTemplates, parseMessageTemplates } from '../domain/template.js';
import { matchColumnName } from './column-names.js';

/** The optional column that chooses a row's channel (`sms`, `mms` or `whatsapp`). */
export const CHANNEL_COLUMN = 'channel';

/** Everything {@link planRow} needs that is the same for every row of a file, worked out once per file. */
export interface RowContext {
  readonly spec: CampaignSpec;
  readonly columns: readonly string[];
  readonly templates: ParsedTemplates;
  /** Where the recipient's number is in a row. */
  readonly toIndex: number;
  /** Where the consent column is, when the campaign names one. */
  readonly consentIndex: number | undefined;
  /** Where the channel column is, if the file has one. */
  readonly channelIndex: number | undefined;
  /** Each template variable, as the templates write it, with where its column is in a row. */
  readonly variables: readonly (readonly [name: string, index: number])[];
  /** Where the columns a row is read for are: template variables, the recipient, the channel and consent columns. */
  readonly readIndexes: ReadonlySet<number>;
  /** A short row is accepted when it has at least this many fields: it then lacks none of the columns read. */
  readonly minFieldCount: number;
  readonly pool: SenderPool;
}

export type RowContextPrep = { ok: true; context: RowContext } | { ok: false; reason: string };

/**
 * Checks a file's header against its campaign and prepares the per-row work. Columns are found by name as people
 * write them (see column-names.ts): `--to-column phone` finds ` Phone `, `{{first_name}}` finds `First Name`.
 * Problems that would fail every row (a missing recipient column, a template variable with no column, two
 * columns a name could mean) fail here, once, with one line.
 */
export function prepareRowContext(spec: CampaignSpec, columns: readonly string[]): RowContextPrep {
  const listed = columns.join(', ');
  const to = matchColumnName(columns, spec.toColumn);
  if (to.kind === 'ambiguous') return { ok: false, reason: to.reason };
  if (to.kind === 'none') return { ok: false, reason: `no recipient column "${spec.toColumn}" (columns: ${listed})` };
  let consentIndex: number | undefined;
  if (spec.consentColumn !== undefined) {
    const consent = matchColumnName(columns, spec.consentColumn);
    if (consent.kind === 'ambiguous') return { ok: false, reason: consent.reason };
    if (consent.kind === 'none') {
      return { ok: false, reason: `no consent column "${spec.consentColumn}" (columns: ${listed})` };
    }
    consentIndex = consent.index;
  }
  const parsed = parseMessageTemplates(spec.templates);
  if (!parsed.ok) return parsed;
  const { templates } = parsed;
  const variables: (readonly [string, number])[] = [];
  for (const name of templates.variables) {
    const found = matchColumnName(columns, name);
    if (found.kind === 'ambiguous') return { ok: false, reason: found.reason };
    if (found.kind === 'none') {
      return { ok: false, reason: `template variable {{${name}}} is not a column (columns: ${listed})` };
    }
    variables.push([name, found.index]);
  }
  if (spec.senders.length === 0) return { ok: false, reason: 'the campaign has no senders' };
  const pool = prepareSenderPool(spec.senders);
  const channel = matchColumnName(columns, CHANNEL_COLUMN);
  if (channel.kind === 'ambiguous') return { ok: false, reason: channel.reason };
  const channelIndex = channel.kind === 'found' ? channel.index : undefined;
  if (spec.channel !== undefined && channelIndex === undefined && selectCandidates(pool, spec.channel).length === 0) {
    return { ok: false, reason: `no sender in the pool can send ${spec.channel}` };
  }

  const readIndexes = new Set([
    ...variables.map(([, index]) => index),
    to.index,
    ...(channelIndex === undefined ? [] : [channelIndex]),
    ...(consentIndex === undefined ? [] : [consentIndex]),
  ]);
  const minFieldCount = Math.max(...readIndexes) + 1;
  return {
    ok: true,
    context: {
      spec,
      columns,
      templates,
      toIndex: to.index,
      consentIndex,
      channelIndex,
      variables,
      readIndexes,
      minFieldCount,
      pool,
    },
  };
}
