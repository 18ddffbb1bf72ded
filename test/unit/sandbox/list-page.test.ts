import { describe, expect, it } from '@jest/globals';
import { buildMessagesPage, locatePage } from '../../../src/sandbox/list-page.js';
import { type ListQuery, parseListQuery } from '../../../src/sandbox/list-query.js';
import type { MessageFacts } from '../../../src/sandbox/message-resource.js';
import { makeMessageFacts } from '../../fixtures/sandbox/message-facts.js';

const sids = (count: number): string[] =>
  Array.from({ length: count }, (_, index) => `SM${index.toString(16).padStart(32, '0')}`);
const ACCOUNT = `AC${'3'.repeat(32)}`;
const LIST_PATH = `/2010-04-01/Accounts/${ACCOUNT}/Messages.json`;
const NOW = Date.UTC(2024, 4, 2);

function query(text: string): ListQuery {
  const parsed = parseListQuery(new URLSearchParams(text));
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.query;
}

function messages(count: number): MessageFacts[] {
  return sids(count).map((sid) =>
    makeMessageFacts({ accountSid: ACCOUNT, sid, createdAt: new Date(Date.UTC(2024, 4, 1)) }),
  );
}

describe('locatePage', () => {
  const list = sids(120);

  it.each([
    [0, { from: 0, to: 50 }],
    [1, { from: 50, to: 100 }],
    [2, { from: 100, to: 120 }],
    [3, { from: 120, to: 120 }],
  ])('page %i of 50 over 120 items is %o', (page, bounds) => {
    expect(locatePage(list, 50, page)).toEqual(bounds);
  });

  it('starts after the token’s item, however the offset would fall', () => {
    expect(locatePage(list, 50, 1, { direction: 'after', sid: list[49] ?? '' })).toEqual({ from: 50, to: 100 });
    expect(locatePage(list, 50, 1, { direction: 'after', sid: list[52] ?? '' })).toEqual({ from: 53, to: 103 });
    expect(locatePage(list, 50, 2, { direction: 'after', sid: list[99] ?? '' })).toEqual({ from: 100, to: 120 });
  });

  it('ends before the token’s item for previous pages', () => {
    expect(locatePage(list, 50, 1, { direction: 'before', sid: list[100] ?? '' })).toEqual({ from: 50, to: 100 });
    expect(locatePage(list, 50, 0, { direction: 'before', sid: list[30] ?? '' })).toEqual({ from: 0, to: 30 });
  });

  it('is undefined for a token whose item is not listed', () => {
    expect(locatePage(list, 50, 1, { direction: 'after', sid: `SM${'f'.repeat(32)}` })).toBeUndefined();
  });
});

describe('buildMessagesPage', () => {
  const all = messages(120);
  const at = (index: number): string => all[index]?.sid ?? '';

  it('describes the first page as Twilio does', () => {
    const outcome = buildMessagesPage(all, query('To=%2B14155550199&PageSize=50'), LIST_PATH, NOW);
    if (!outcome.ok) throw new Error('refused');
    const { messages: items, ...meta } = outcome.page;
    expect(items.map((message) => message.sid)).toEqual(all.slice(0, 50).map((facts) => facts.sid));
    expect(meta).toEqual({
      end: 49,
      first_page_uri: `${LIST_PATH}?To=%2B14155550199&PageSize=50&Page=0`,
      next_page_uri: `${LIST_PATH}?To=%2B14155550199&PageSize=50&Page=1&PageToken=PA${at(49)}`,
      page: 0,
      page_size: 50,
      previous_page_uri: null,
      start: 0,
      uri: `${LIST_PATH}?To=%2B14155550199&PageSize=50&Page=0`,
    });
  });

  it('links the last page back and not forward', () => {
    const outcome = buildMessagesPage(all, query(`PageSize=50&Page=2&PageToken=PA${at(99)}`), LIST_PATH, NOW);
    if (!outcome.ok) throw new Error('refused');
    expect(outcome.page).toMatchObject({
      start: 100,
      end: 119,
      next_page_uri: null,
      previous_page_uri: `${LIST_PATH}?PageSize=50&Page=1&PageToken=PB${at(100)}`,
      uri: `${LIST_PATH}?PageSize=50&Page=2&PageToken=PA${at(99)}`,
    });
    expect(outcome.page.messages).toHaveLength(20);
  });

  it('answers an empty list with one empty page', () => {
    expect(buildMessagesPage([], query(''), LIST_PATH, NOW)).toMatchObject({
      ok: true,
      page: { messages: [], start: 0, end: 0, next_page_uri: null, previous_page_uri: null },
    });
  });

  it('refuses a token for a message not in the list with 21481', () => {
    expect(buildMessagesPage(all, query(`PageToken=PA${'SM' + 'e'.repeat(32)}`), LIST_PATH, NOW)).toMatchObject({
      ok: false,
      error: { code: 21481, status: 400 },
    });
  });
});
