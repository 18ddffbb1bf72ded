/**
 * What herald keeps about each opted-out number, as a record that can be shown to a regulator: when, how, what the
 * recipient wrote and through which sender. Pure: encoding for Redis, and the line the report and CLI print.
 */
/** Twilio's code for a recipient who replied STOP; herald settles a recipient it finds opted out with it too. */
export const OPTED_OUT_CODE = '21610';

export const OPT_OUT_SOURCES = ['reply', 'twilio-21610', 'import', 'operator'] as const;
export type OptOutSource = (typeof OPT_OUT_SOURCES)[number];

export interface OptOutRecord {
  /** When it was recorded, ms since the epoch (Redis's clock). */
  readonly at: number;
  readonly source: OptOutSource;
  /** The reply as written, for `reply`. */
  readonly text?: string;
  /** The sender written to or refused by (`+1415…`, `whatsapp:+1…`, `MG…`), when there was one. */
  readonly sender?: string;
  /** The operator's or the import file's note. */
  readonly note?: string;
}

/** Longest reply text kept: the words that opted out, not an essay. */
const MAX_TEXT = 160;

export function encodeOptOut(record: OptOutRecord): string {
  const text = record.text === undefined ? undefined : record.text.slice(0, MAX_TEXT);
  return JSON.stringify({ ...record, ...(text === undefined ? {} : { text }) });
}

/** undefined for a value that is not a record (herald wrote every one, so that is a bug or a hand edit). */
export function decodeOptOut(value: string): OptOutRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { at, source, text, sender, note } = parsed as Record<string, unknown>;
  if (typeof at !== 'number' || !(OPT_OUT_SOURCES as readonly unknown[]).includes(source)) return undefined;
  return {
    at,
    source: source as OptOutSource,
    ...(typeof text === 'string' ? { text } : {}),
    ...(typeof sender === 'string' ? { sender } : {}),
    ...(typeof note === 'string' ? { note } : {}),
  };
}

/** e.g. `opted out on 2026-12-01 by replying "Stop please" to +14155550100`. */
export function describeOptOut(record: OptOutRecord): string {
  const day = new Date(record.at).toISOString().slice(0, 10);
  const to = record.sender === undefined ? '' : ` to ${record.sender}`;
  switch (record.source) {
    case 'reply':
      return `opted out on ${day} by replying ${JSON.stringify(record.text ?? '')}${to}`;
    case 'twilio-21610':
      return `opted out on ${day}: Twilio refused a send${record.sender === undefined ? '' : ` from ${record.sender}`} with 21610 (replied STOP to it)`;
    case 'import':
      return `opted out on ${day} by import${record.note === undefined ? '' : ` (${record.note})`}`;
    case 'operator':
      return `opted out on ${day} by an operator${record.note === undefined ? '' : ` (${record.note})`}`;
  }
}
