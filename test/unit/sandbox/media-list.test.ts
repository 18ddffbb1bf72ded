import { describe, expect, it } from '@jest/globals';

import { buildMediaPage, contentTypeOf, makeMediaSid } from '../../../src/sandbox/media-list.js';
import { makeMessageFacts } from '../../fixtures/sandbox/message-facts.js';

describe('contentTypeOf', () => {
  it.each([
    ['https://e.x/a.JPG', 'image/jpeg'],
    ['https://e.x/menu.pdf?v=2#p1', 'application/pdf'],
    ['https://e.x/voice.ogg', 'audio/ogg'],
    ['https://e.x/image', 'application/octet-stream'],
    ['not a url.png', 'image/png'],
  ])('%s is %s', (url, type) => {
    expect(contentTypeOf(url)).toBe(type);
  });
});

describe('buildMediaPage', () => {
  it('lists each media URL as a Media resource of the message, in order, under stable ME SIDs', () => {
    const facts = makeMessageFacts({
      sid: `MM${'a'.repeat(32)}`,
      mediaUrls: ['https://e.x/1.png', 'https://e.x/2.gif'],
      createdAt: new Date(Date.UTC(2024, 4, 1, 12)),
    });
    const page = buildMediaPage(facts);
    const base = `/2010-04-01/Accounts/${facts.accountSid}/Messages/${facts.sid}/Media`;
    expect(page).toMatchObject({
      start: 0,
      end: 1,
      page: 0,
      page_size: 50,
      next_page_uri: null,
      previous_page_uri: null,
      first_page_uri: `${base}.json?PageSize=50&Page=0`,
      uri: `${base}.json?PageSize=50&Page=0`,
    });
    expect(page.media_list).toEqual([
      {
        account_sid: facts.accountSid,
        content_type: 'image/png',
        date_created: 'Wed, 01 May 2024 12:00:00 +0000',
        date_updated: 'Wed, 01 May 2024 12:00:00 +0000',
        parent_sid: facts.sid,
        sid: makeMediaSid(facts.sid, 0),
        uri: `${base}/${makeMediaSid(facts.sid, 0)}.json`,
      },
      expect.objectContaining({ content_type: 'image/gif', sid: makeMediaSid(facts.sid, 1) }),
    ]);
    expect(makeMediaSid(facts.sid, 0)).toMatch(/^ME[0-9a-f]{32}$/);
    expect(makeMediaSid(facts.sid, 0)).not.toBe(makeMediaSid(facts.sid, 1));
    expect(buildMediaPage(facts)).toEqual(page);
  });

  it('answers an empty list for a message without media', () => {
    expect(buildMediaPage(makeMessageFacts())).toMatchObject({ media_list: [], start: 0, end: 0 });
  });
});
