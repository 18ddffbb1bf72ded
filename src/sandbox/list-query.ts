import type { MessageFilter } from './message-store.js';
import { makeInvalidParameterError, makeTwilioError, type TwilioError } from './twilio-error.js';

/** A page position: after the message with this SID (`PA…`, next pages) or before it (`PB…`, previous pages). */
export interface PageToken {
  direction: 'after' | 'before';
  sid: string;
}

export interface ListQuery {
  filter: MessageFilter;
  /** The filter parameters as received, to repeat in the page URIs. */
  filterParams: ReadonlyArray<[string, string]>;
  pageSize: number;
  page: number;
  pageToken: PageToken | undefined;
}

export type ListQueryParse = { ok: true; query: ListQuery } | { ok: false; error: TwilioError };

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;
const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const PAGE_TOKEN = /^P([AB])((?:SM|MM)[0-9a-fA-F]{32})$/;
const FILTER_KEYS = ['To', 'From', 'DateSent', 'DateSent<', 'DateSent>'] as const;

/**
 * Reads the list parameters the SDK sends (message.js `page()`): `To`, `From`, and `DateSent`, `DateSent<`,
 * `DateSent>`. The last two reach the wire as `DateSent<=…` and `DateSent>=…`, which is why Twilio documents
 * them as "on and before" / "on and after": both bounds are inclusive. A date (`YYYY-MM-DD`, Twilio's
 * documented form) means a whole UTC day; a date-time (what the SDK makes of a `Date`) means that instant,
 * except for the exact-match `DateSent`, where it selects its UTC day, the only reading the docs give.
 */
export function parseListQuery(search: URLSearchParams): ListQueryParse {
  const filter: MessageFilter = {};
  const filterParams: Array<[string, string]> = [];
  for (const key of FILTER_KEYS) {
    const value = search.get(key);
    if (value === null || value === '') continue;
    filterParams.push([key, value]);
    if (key === 'To') filter.to = value;
    else if (key === 'From') filter.from = value;
    else {
      const bound = parseDateBound(value);
      if (bound === undefined) return fail(makeInvalidParameterError(`Invalid ${key} value: ${value}`));
      applyDateBound(filter, key, bound);
    }
  }

  const pageSize = parseCount(search.get('PageSize'), DEFAULT_PAGE_SIZE);
  if (pageSize === undefined || pageSize < 1) return fail(makeInvalidParameterError('Invalid PageSize'));
  if (pageSize > MAX_PAGE_SIZE) return fail(makeTwilioError(20007));
  const page = parseCount(search.get('Page'), 0);
  if (page === undefined) return fail(makeInvalidParameterError('Invalid Page'));
  const tokenText = search.get('PageToken');
  const pageToken = tokenText === null || tokenText === '' ? undefined : parsePageToken(tokenText);
  if (pageToken === null) return fail(makeTwilioError(21481));

  return { ok: true, query: { filter, filterParams, pageSize, page, pageToken } };
}

export function formatPageToken(token: PageToken): string {
  return `P${token.direction === 'after' ? 'A' : 'B'}${token.sid}`;
}

interface DateBound {
  start: number;
  /** Exclusive end: the next day for a date, the next second for a date-time. */
  end: number;
}

function parseDateBound(text: string): DateBound | undefined {
  if (DATE_ONLY.test(text)) {
    const start = Date.parse(`${text}T00:00:00Z`);
    return Number.isNaN(start) ? undefined : { start, end: start + DAY_MS };
  }
  if (!DATE_TIME.test(text)) return undefined;
  const instant = Date.parse(text);
  if (Number.isNaN(instant)) return undefined;
  const start = Math.floor(instant / 1000) * 1000;
  return { start, end: start + 1000 };
}

function applyDateBound(filter: MessageFilter, key: 'DateSent' | 'DateSent<' | 'DateSent>', bound: DateBound): void {
  const dayStart = Math.floor(bound.start / DAY_MS) * DAY_MS;
  const [from, before] =
    key === 'DateSent<'
      ? [undefined, bound.end]
      : key === 'DateSent>'
        ? [bound.start, undefined]
        : [dayStart, dayStart + DAY_MS];
  if (from !== undefined) filter.sentFrom = Math.max(filter.sentFrom ?? from, from);
  if (before !== undefined) filter.sentBefore = Math.min(filter.sentBefore ?? before, before);
}

function parseCount(text: string | null, fallback: number): number | undefined {
  if (text === null || text === '') return fallback;
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/** A token, or null when one was given but is not one the sandbox issues. */
function parsePageToken(text: string): PageToken | null {
  const match = PAGE_TOKEN.exec(text);
  if (match?.[1] === undefined || match[2] === undefined) return null;
  return { direction: match[1] === 'A' ? 'after' : 'before', sid: match[2] };
}

function fail(error: TwilioError): ListQueryParse {
  return { ok: false, error };
}
