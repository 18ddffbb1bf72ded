import { TWILIO_ERRORS } from '../twilio-errors/twilio-errors.js';
import { type DeliveryStatus, findDeliveryState, type DeliveryEvent } from './delivery-plan.js';

/**
 * The Message resource as Twilio returns it (schema `api.v2010.account.message` in Twilio's OpenAPI,
 * extract at ../shared/reference/twilio_message_schema.json): every property present, snake_case,
 * counts as strings, dates in RFC 2822 with `+0000`, which is the one format the SDK parses into a Date.
 */
export interface MessageResource {
  account_sid: string;
  api_version: '2010-04-01';
  body: string;
  date_created: string;
  date_sent: string;
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
  numMedia: number;
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
 * A message as of `now` (ms). Freshly created, with a Messaging Service and no `From`, Twilio answers
 * `accepted` with `from: null` and `num_segments` "0" until a sender is picked (schema description of
 * `num_segments`); otherwise `queued`. Once simulated delivery reaches a status, that status shows, with the
 * error of an undelivered message. `date_sent` is set at creation as in Twilio's own example response, which
 * also lets the `DateSent` list filter find messages the sandbox never moves past their first status.
 */
export function buildMessageResource(facts: MessageFacts, now: number): MessageResource {
  const created = formatRfc2822(facts.createdAt);
  const state = facts.delivery === undefined ? undefined : findDeliveryState(facts.delivery, now);
  const error = state?.status === 'undelivered' ? state.errorCode : undefined;
  const base = `${makeMessagesPath(facts.accountSid)}/${facts.sid}`;
  const senderPending = facts.from === undefined;
  return {
    account_sid: facts.accountSid,
    api_version: API_VERSION,
    body: facts.body,
    date_created: created,
    date_sent: created,
    date_updated: state === undefined ? created : formatRfc2822(new Date(state.at)),
    direction: 'outbound-api',
    error_code: error ?? null,
    error_message: error === undefined ? null : TWILIO_ERRORS[error].title,
    from: facts.from ?? null,
    messaging_service_sid: facts.messagingServiceSid ?? null,
    num_media: String(facts.numMedia),
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
