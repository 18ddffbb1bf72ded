import { asE164, type E164 } from '../domain/e164.js';
import { readReplyIntent, type ReplyIntent } from './reply-keyword.js';

/** A message a recipient wrote to one of the senders, as herald acts on it. */
export interface IncomingReply {
  readonly sid: string;
  /** The recipient who wrote, without `whatsapp:`. */
  readonly from: E164;
  readonly whatsapp: boolean;
  /** The sender written to, as Twilio gives it (`+1415…`, `whatsapp:+1…`, a short code). */
  readonly to: string;
  readonly messagingServiceSid: string | undefined;
  readonly body: string;
  readonly intent: ReplyIntent;
}

const MESSAGE_SID = /^(SM|MM)[0-9a-fA-F]{32}$/;
const WHATSAPP = 'whatsapp:';

/**
 * Reads the form Twilio posts to the incoming-message webhook (MessageSid, From, To, Body, OptOutType, …). Unknown
 * fields are ignored, as Twilio adds fields without notice. Pure.
 */
export function parseReply(
  form: Readonly<Record<string, string>>,
): { ok: true; reply: IncomingReply } | { ok: false; reason: string } {
  const sid = form['MessageSid'] ?? form['SmsMessageSid'] ?? '';
  if (!MESSAGE_SID.test(sid)) return { ok: false, reason: 'MessageSid is missing or malformed' };
  const address = form['From'] ?? '';
  const whatsapp = address.toLowerCase().startsWith(WHATSAPP);
  const from = asE164(whatsapp ? address.slice(WHATSAPP.length) : address);
  if (from === undefined) return { ok: false, reason: 'From is not an E.164 number' };
  const to = form['To'] ?? '';
  if (to === '') return { ok: false, reason: 'To is missing' };
  const body = form['Body'] ?? '';
  const service = form['MessagingServiceSid'];
  return {
    ok: true,
    reply: {
      sid,
      from,
      whatsapp,
      to,
      messagingServiceSid: service === undefined || service === '' ? undefined : service,
      body,
      intent: readReplyIntent(body, form['OptOutType']),
    },
  };
}
