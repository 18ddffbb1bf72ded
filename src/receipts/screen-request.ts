import type { CampaignName } from '../domain/campaign.js';
import type { WebhookRejection } from '../observe/send-events.js';
import { campaignOfPath } from './callback-url.js';

/** Twilio's status callbacks are a few hundred bytes of form; a body far larger is not one. */
export const MAX_BODY_BYTES = 16 * 1024;

/** X-Twilio-Signature: an HMAC-SHA1 (20 bytes) in base64, 28 characters. */
const SIGNATURE = /^[A-Za-z0-9+/]{27}=$/;

export type Screening =
  | { ok: true; campaign: CampaignName; signature: string }
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
 * a callback can be, to a campaign's callback path, with a signature. Cheapest checks first. Pure.
 */
export function screenRequest(head: RequestHead): Screening {
  const path = (head.url ?? '/').split('?', 1)[0] ?? '/';
  const campaign = campaignOfPath(path);
  if (campaign === undefined) {
    return reject('not-found', 404, 'not found: status callbacks go to /twilio/campaigns/<campaign>/status');
  }
  if (head.method !== 'POST') return reject('method', 405, 'method not allowed');
  const type = head.headers['content-type'];
  if (typeof type !== 'string' || !/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
    return reject('media-type', 415, 'a status callback is an application/x-www-form-urlencoded form');
  }
  const length = head.headers['content-length'];
  if (typeof length === 'string' && !(/^\d+$/.test(length) && Number(length) <= MAX_BODY_BYTES)) {
    return reject('too-large', 413, 'body too large');
  }
  const signature = head.headers['x-twilio-signature'];
  if (typeof signature !== 'string' || !SIGNATURE.test(signature)) {
    return reject('unsigned', 403, 'missing or malformed X-Twilio-Signature');
  }
  return { ok: true, campaign, signature };
}
