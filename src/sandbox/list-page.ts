import { formatPageToken, type ListQuery, type PageToken } from './list-query.js';
import { buildMessageResource, type MessageFacts, type MessageResource } from './message-resource.js';
import { makeTwilioError, type TwilioError } from './twilio-error.js';

/** One page of `GET …/Messages.json`, with the keys the SDK's Page reads (twilio/lib/base/Page.js). */
export interface MessagesPage {
  end: number;
  first_page_uri: string;
  messages: MessageResource[];
  next_page_uri: string | null;
  page: number;
  page_size: number;
  previous_page_uri: string | null;
  start: number;
  uri: string;
}

export interface PageBounds {
  /** Index of the first item of the page in the full list. */
  from: number;
  /** Index after its last item. */
  to: number;
}

/**
 * Where a page lies in a newest-first list. A token pins the page to a message rather than an offset, as
 * Twilio's `PageToken` does, so paging forward is not thrown off by messages created meanwhile. Undefined when
 * the token's message is not in the list (reset, or never listed with these filters).
 */
export function locatePage(
  sids: readonly string[],
  pageSize: number,
  page: number,
  token?: PageToken,
): PageBounds | undefined {
  if (token === undefined) {
    const from = Math.min(page * pageSize, sids.length);
    return { from, to: Math.min(from + pageSize, sids.length) };
  }
  const index = sids.indexOf(token.sid);
  if (index < 0) return undefined;
  if (token.direction === 'after') return { from: index + 1, to: Math.min(index + 1 + pageSize, sids.length) };
  return { from: Math.max(0, index - pageSize), to: index };
}

export type PageOutcome = { ok: true; page: MessagesPage } | { ok: false; error: TwilioError };

/** Builds the page the query asks for from the matching messages, newest first, as they stand at `now` (ms). */
export function buildMessagesPage(
  newestFirst: readonly MessageFacts[],
  query: ListQuery,
  listPath: string,
  now: number,
): PageOutcome {
  const sids = newestFirst.map((facts) => facts.sid);
  const bounds = locatePage(sids, query.pageSize, query.page, query.pageToken);
  if (bounds === undefined) return { ok: false, error: makeTwilioError(21481) };

  const pageUri = (page: number, token: PageToken | undefined): string => {
    const search = new URLSearchParams(query.filterParams);
    search.set('PageSize', String(query.pageSize));
    search.set('Page', String(page));
    if (token !== undefined) search.set('PageToken', formatPageToken(token));
    return `${listPath}?${search.toString()}`;
  };
  const first = sids[bounds.from];
  const last = sids[bounds.to - 1];
  const start = query.page * query.pageSize;
  const count = bounds.to - bounds.from;
  return {
    ok: true,
    page: {
      end: count === 0 ? start : start + count - 1,
      first_page_uri: pageUri(0, undefined),
      messages: newestFirst.slice(bounds.from, bounds.to).map((facts) => buildMessageResource(facts, now)),
      next_page_uri:
        bounds.to < sids.length && last !== undefined
          ? pageUri(query.page + 1, { direction: 'after', sid: last })
          : null,
      page: query.page,
      page_size: query.pageSize,
      previous_page_uri:
        bounds.from > 0 && query.page > 0 && first !== undefined
          ? pageUri(query.page - 1, { direction: 'before', sid: first })
          : null,
      start,
      uri: pageUri(query.page, query.pageToken),
    },
  };
}
