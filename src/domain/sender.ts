import { type E164, parsePhone } from './e164.js';

/**
 * Where a message is sent from. The kind decides the default throughput (Twilio's per-sender MPS) and
 * which channels the sender can carry.
 */
export type Sender =
  | { kind: 'long-code'; number: E164 }
  | { kind: 'toll-free'; number: E164 }
  | { kind: 'short-code'; code: string }
  | { kind: 'whatsapp'; number: E164 }
  | { kind: 'messaging-service'; sid: string };

export type SenderKind = Sender['kind'];

export type SenderParse = { ok: true; sender: Sender } | { ok: false; reason: string };

/** Messages (for SMS: segments) per second that Twilio sends from one sender of each kind by default. */
export const DEFAULT_MPS: Readonly<Record<SenderKind, number>> = {
  'long-code': 1,
  'toll-free': 3,
  'short-code': 100,
  whatsapp: 80,
  'messaging-service': 1,
};

const TOLL_FREE_AREA_CODES = new Set(['800', '833', '844', '855', '866', '877', '888']);
const SHORT_CODE = /^\d{5,6}$/;
const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
const WHATSAPP_PREFIX = 'whatsapp:';

/** Parses a sender as given on the command line or in a senders file: `+1…`, `12345`, `whatsapp:+1…`, `MG…`. */
export function parseSender(input: string): SenderParse {
  const text = input.trim();
  if (MESSAGING_SERVICE_SID.test(text)) return { ok: true, sender: { kind: 'messaging-service', sid: text } };
  if (SHORT_CODE.test(text)) return { ok: true, sender: { kind: 'short-code', code: text } };
  if (text.toLowerCase().startsWith(WHATSAPP_PREFIX)) {
    const phone = parsePhone(text.slice(WHATSAPP_PREFIX.length));
    if (!phone.ok) return { ok: false, reason: `sender ${text}: ${phone.reason}` };
    return { ok: true, sender: { kind: 'whatsapp', number: phone.e164 } };
  }
  if (!text.startsWith('+')) {
    return { ok: false, reason: `sender ${text}: expected +E.164, a 5–6 digit short code, whatsapp:+E.164 or MG…` };
  }
  const phone = parsePhone(text);
  if (!phone.ok) return { ok: false, reason: `sender ${text}: ${phone.reason}` };
  const nanpTollFree = phone.e164.startsWith('+1') && TOLL_FREE_AREA_CODES.has(phone.e164.slice(2, 5));
  return { ok: true, sender: { kind: nanpTollFree ? 'toll-free' : 'long-code', number: phone.e164 } };
}

/** The sender as Twilio's `From` (or, for a Messaging Service, its `MessagingServiceSid`). */
export function senderAddress(sender: Sender): string {
  switch (sender.kind) {
    case 'long-code':
    case 'toll-free':
      return sender.number;
    case 'short-code':
      return sender.code;
    case 'whatsapp':
      return `${WHATSAPP_PREFIX}${sender.number}`;
    case 'messaging-service':
      return sender.sid;
  }
}

/**
 * A short, stable identifier made only of `[A-Za-z0-9]`, safe inside Redis keys, BullMQ queue names and
 * Prometheus labels: `p15551234567`, `t18005550100`, `s12345`, `w15551234567`, `MG…`.
 */
export function senderId(sender: Sender): string {
  switch (sender.kind) {
    case 'long-code':
      return `p${sender.number.slice(1)}`;
    case 'toll-free':
      return `t${sender.number.slice(1)}`;
    case 'short-code':
      return `s${sender.code}`;
    case 'whatsapp':
      return `w${sender.number.slice(1)}`;
    case 'messaging-service':
      return sender.sid;
  }
}

/** A sender's throughput: its override, else its kind's default. Messages per second; for SMS, segments. */
export function senderMps(sender: Sender, override?: number): number {
  return override ?? DEFAULT_MPS[sender.kind];
}

export function isWhatsAppSender(sender: Sender): boolean {
  return sender.kind === 'whatsapp';
}

/** A sender id as herald shows it (`p14155550100`, `t…`, `s…`, `w…`, `MG…`). */
const SENDER_ID = /^(?:[ptw]\d{8,15}|s\d{5,6}|MG[0-9a-fA-F]{32})$/;

/** The sender id of `--from`-style input (`+14155550100`, `whatsapp:+…`, `12345`, `MG…`) or of an id itself. */
export function parseSenderOrId(input: string): { ok: true; id: string } | { ok: false; reason: string } {
  const text = input.trim();
  if (SENDER_ID.test(text)) return { ok: true, id: text };
  const parsed = parseSender(text);
  return parsed.ok
    ? { ok: true, id: senderId(parsed.sender) }
    : { ok: false, reason: `${parsed.reason}, or a sender id as \`herald senders\` lists it` };
}
