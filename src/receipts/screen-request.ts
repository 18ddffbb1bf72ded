import type { CampaignName } from '../domain/campaign.js';
import type { WebhookRejection } from '../observe/send-events.js';
import { campaignOfPath, isRepliesPath } from './callback-url.js';

/**
 * Twilio's status callbacks are a few hundred bytes of form, an incoming message's at most a few KiB (1,600
 * characters of body, percent-encoded, and the media and location fields); a body far larger is neither.
 */
export const MAX_BODY_BYTES = 16 * 1024;

/** X-Twilio-Signature: an HMAC-SHA1 (20 bytes) in base64, 28 characters. */
const SIGNATURE = /^[A-Za-z0-9+/]{27}=$/;

/** What a request asks for: a campaign's status callback or a recipient's reply. */
export type WebhookTarget = { kind: 'status'; campaign: CampaignName } | { kind: 'reply' };

export type Screening =
  | { ok: true; target: WebhookTarget; signature: string }
  | { ok: false; reason: WebhookRejection; status: number; text: string };

export interface RequestHead {
  method?: string | undefined;
  /** The request target, query included. */
  url?: string | undefined;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

function reject(reason: WebhookRejection, status: number, text: string): Screening {
  return { ok: false, reason, status, text };
}

/**
 * What can be checked of a request before a byte of its body is read: that it is a POST of a form, not larger than
 * a callback can be, to a campaign's callback path or the replies path, with a signature. Cheapest checks first.
 * Pure.
 */
export function screenRequest(head: RequestHead): Screening {
  const path = (head.url ?? '/').split('?', 1)[0] ?? '/';
  const campaign = campaignOfPath(path);
  const target: WebhookTarget | undefined =
    campaign !== undefined ? { kind: 'status', campaign } : isRepliesPath(path) ? { kind: 'reply' } : undefined;
  if (target === undefined) {
    return reject(
      'not-found',
      404,
      'not found: status callbacks go to /twilio/campaigns/<campaign>/status, replies to /twilio/replies',
    );
  }
  if (head.method !== 'POST') return reject('method', 405, 'method not allowed');
  const type = head.headers['content-type'];
  if (typeof type !== 'string' || !/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
    return reject('media-type', 415, 'a webhook request is an application/x-www-form-urlencoded form');
  }
  const length = head.headers['content-length'];
  if (typeof length === 'string' && !(/^\d+$/.test(length) && Number(length) <= MAX_BODY_BYTES)) {
    return reject('too-large', 413, 'body too large');
  }
  const signature = head.headers['x-twilio-signature'];
  if (typeof signature !== 'string' || !SIGNATURE.test(signature)) {
    return reject('unsigned', 403, 'missing or malformed X-Twilio-Signature');
  }
  return { ok: true, target, signature };
}
