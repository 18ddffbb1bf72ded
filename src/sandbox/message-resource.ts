import { TWILIO_ERRORS } from '../twilio-errors/twilio-errors.js';
import { type DeliveryStatus, findDeliveryState, type DeliveryEvent } from './delivery-plan.js';

/**
 * The Message resource as Twilio returns it (schema `api.v2010.account.message` in Twilio's OpenAPI,
 * copied in test/fixtures/sandbox/message-schema.json): every property present, snake_case,
 * counts as strings, dates in RFC 2822 with `+0000`, which is the one format the SDK parses into a Date.
 */
export interface MessageResource {
  account_sid: string;
  api_version: '2010-04-01';
  body: string;
  date_created: string;
  /** Null while the message is queued: Twilio sets it when the message leaves for the carrier. */
  date_sent: string | null;
  date_updated: string;
  direction: 'outbound-api';
  error_code: number | null;
  error_message: string | null;
  from: string | null;
  messaging_service_sid: string | null;
  num_media: string;
  num_segments: string;
  price: string | null;
  price_unit: string | null;
  sid: string;
  status: 'queued' | 'accepted' | DeliveryStatus;
  subresource_uris: { media: string };
  to: string;
  uri: string;
}

export interface MessageFacts {
  accountSid: string;
  sid: string;
  to: string;
  from: string | undefined;
  messagingServiceSid: string | undefined;
  body: string;
  /** `MediaUrl` as posted, in order (listed by `GET …/Messages/{Sid}/Media.json`). */
  mediaUrls: readonly string[];
  numSegments: number;
  createdAt: Date;
  /** The WhatsApp Content Template sent instead of a free-form body, if any. */
  contentSid?: string;
  /** Where delivery is reported (StatusCallback as posted). */
  statusCallback?: string;
  /** Statuses planned after creation when delivery is simulated; the resource shows the furthest reached. */
  delivery?: readonly DeliveryEvent[];
}

export const API_VERSION = '2010-04-01';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** `ddd, DD MMM YYYY HH:mm:ss +0000` in UTC, e.g. `Thu, 24 Aug 2023 05:01:45 +0000`. */
export function formatRfc2822(date: Date): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  const day = `${DAYS[date.getUTCDay()]}, ${pad(date.getUTCDate())}`;
  return `${day} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${time} +0000`;
}

/** `SM` for SMS and `MM` for a message with media, then 32 lower-case hex digits (given by the caller). */
export function makeMessageSid(hasMedia: boolean, hex32: string): string {
  return `${hasMedia ? 'MM' : 'SM'}${hex32}`;
}

export function makeMessagesPath(accountSid: string): string {
  return `/${API_VERSION}/Accounts/${accountSid}/Messages`;
}

/**
 * When the message left Twilio for the carrier: its first simulated status reached by `now` (ms), or undefined
 * while it is queued. Without simulated delivery a message never leaves its first status.
 */
export function sentAtOf(facts: MessageFacts, now: number): number | undefined {
  let first: number | undefined;
  for (const event of facts.delivery ?? [])
    if (event.at <= now && (first === undefined || event.at < first)) first = event.at;
  return first;
}

/**
 * A message as of `now` (ms), or as the create call answers it when `now` is 'created'. Freshly created, with a
 * Messaging Service and no `From`, Twilio answers `accepted` with `from: null` and `num_segments` "0" until a
 * sender is picked (schema description of `num_segments`); otherwise `queued`. Once simulated delivery reaches a
 * status, that status shows, with the error of an undelivered message, and `date_sent` is set to when the message
 * left; until then `date_sent` is null, as Twilio leaves it while a message waits in its queue.
 */
export function buildMessageResource(facts: MessageFacts, now: number | 'created'): MessageResource {
  const created = formatRfc2822(facts.createdAt);
  const at = now === 'created' ? -Infinity : now;
  const state = facts.delivery === undefined ? undefined : findDeliveryState(facts.delivery, at);
  const sentAt = sentAtOf(facts, at);
  const error = state?.status === 'undelivered' ? state.errorCode : undefined;
  const base = `${makeMessagesPath(facts.accountSid)}/${facts.sid}`;
  const senderPending = facts.from === undefined;
  return {
    account_sid: facts.accountSid,
    api_version: API_VERSION,
    body: facts.body,
    date_created: created,
    date_sent: sentAt === undefined ? null : formatRfc2822(new Date(sentAt)),
    date_updated: state === undefined ? created : formatRfc2822(new Date(state.at)),
    direction: 'outbound-api',
    error_code: error ?? null,
    error_message: error === undefined ? null : TWILIO_ERRORS[error].title,
    from: facts.from ?? null,
    messaging_service_sid: facts.messagingServiceSid ?? null,
    num_media: String(facts.mediaUrls.length),
    num_segments: senderPending ? '0' : String(facts.numSegments),
    price: null,
    price_unit: null,
    sid: facts.sid,
    status: state?.status ?? (facts.messagingServiceSid === undefined ? 'queued' : 'accepted'),
    subresource_uris: { media: `${base}/Media.json` },
    to: facts.to,
    uri: `${base}.json`,
  };
}
