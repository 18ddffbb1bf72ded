import { createHash } from 'node:crypto';

import { formatRfc2822, makeMessagesPath, type MessageFacts } from './message-resource.js';

/**
 * The Media resource as Twilio returns it (schema `api.v2010.account.message.media`; the SDK reads these keys in
 * twilio/lib/rest/api/v2010/account/message/media.js): one per `MediaUrl` of a message, under its own `ME` SID.
 */
export interface MediaResource {
  account_sid: string;
  content_type: string;
  date_created: string;
  date_updated: string;
  parent_sid: string;
  sid: string;
  uri: string;
}

/** One page of `GET …/Messages/{Sid}/Media.json`, with the keys the SDK's Page reads; the items under `media_list`. */
export interface MediaPage {
  end: number;
  first_page_uri: string;
  media_list: MediaResource[];
  next_page_uri: null;
  page: number;
  page_size: number;
  previous_page_uri: null;
  start: number;
  uri: string;
}

/** Twilio's default page size for lists; a message has at most 10 media, so one page always holds them all. */
const PAGE_SIZE = 50;

/**
 * Twilio names a media item's type from what it fetched; the sandbox fetches nothing, so the type is read from the
 * URL's extension (the types of Twilio's accepted-MIME list), and anything else is `application/octet-stream`.
 */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  amr: 'audio/amr',
  mp4: 'video/mp4',
  pdf: 'application/pdf',
  vcf: 'text/vcard',
  csv: 'text/csv',
};

export function contentTypeOf(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url;
  }
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return (extension === undefined ? undefined : CONTENT_TYPES[extension]) ?? 'application/octet-stream';
}

/** A stable `ME` SID for the message's n-th media item, so that listing twice names the same items. */
export function makeMediaSid(messageSid: string, index: number): string {
  return `ME${createHash('sha256').update(`${messageSid}/${index}`).digest('hex').slice(0, 32)}`;
}

function mediaPath(facts: MessageFacts): string {
  return `${makeMessagesPath(facts.accountSid)}/${facts.sid}/Media`;
}

/** The message's media items, in the order their URLs were posted. Pure. */
export function buildMediaResources(facts: MessageFacts): MediaResource[] {
  const created = formatRfc2822(facts.createdAt);
  return facts.mediaUrls.map((url, index) => {
    const sid = makeMediaSid(facts.sid, index);
    return {
      account_sid: facts.accountSid,
      content_type: contentTypeOf(url),
      date_created: created,
      date_updated: created,
      parent_sid: facts.sid,
      sid,
      uri: `${mediaPath(facts)}/${sid}.json`,
    };
  });
}

/** The one page that lists every media item of the message (empty for a message without media). Pure. */
export function buildMediaPage(facts: MessageFacts): MediaPage {
  const items = buildMediaResources(facts);
  const uri = `${mediaPath(facts)}.json?PageSize=${PAGE_SIZE}&Page=0`;
  return {
    end: Math.max(0, items.length - 1),
    first_page_uri: uri,
    media_list: items,
    next_page_uri: null,
    page: 0,
    page_size: PAGE_SIZE,
    previous_page_uri: null,
    start: 0,
    uri,
  };
}
