import { isWhatsApp, stripWhatsApp } from './address.js';
import { API_VERSION } from './message-resource.js';
import type { Random } from './random.js';
import type { ReplyKind } from './reply-settings.js';

/** Twilio's default Advanced Opt-Out keywords, matched as Twilio matches them: the whole body, in any case. */
const TWILIO_KEYWORDS: ReadonlyMap<string, 'STOP' | 'START' | 'HELP'> = new Map([
  ...['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'].map(
    (word) => [word, 'STOP'] as const,
  ),
  ...['START', 'UNSTOP', 'YES'].map((word) => [word, 'START'] as const),
  ...['HELP', 'INFO'].map((word) => [word, 'HELP'] as const),
]);

/** The keyword Twilio's Advanced Opt-Out would see in a body, if any (it then acts on it and says so in OptOutType). */
export function matchTwilioKeyword(body: string): 'STOP' | 'START' | 'HELP' | undefined {
  return TWILIO_KEYWORDS.get(body.trim().toUpperCase());
}

const BODIES: Readonly<Record<ReplyKind, readonly string[]>> = {
  stop: ['STOP', 'stop', 'Stop', 'UNSUBSCRIBE', 'end', 'Quit', 'CANCEL', 'optout', 'revoke', 'stopall'],
  // Ways of opting out that Twilio's keyword matching misses and the FCC's rule still counts.
  'stop-words': ['Stop please', 'STOP!', 'please unsubscribe me', 'opt out', 'Stop.', 'ok stop'],
  start: ['START', 'unstop', 'Yes'],
  help: ['HELP', 'info'],
  text: ['Thanks!', 'Who is this?', 'ok', 'See you there', 'Can you call me?'],
};

export function pickReplyBody(kind: ReplyKind, random: Random): string {
  const bodies = BODIES[kind];
  return bodies[Math.floor(random() * bodies.length)] ?? bodies[0] ?? '';
}

export interface IncomingMessage {
  accountSid: string;
  sid: string;
  /** The recipient who writes, as Twilio addresses them (`whatsapp:+…` on WhatsApp). */
  from: string;
  /** The sender they write to. */
  to: string;
  messagingServiceSid: string | undefined;
  body: string;
}

/** The form Twilio posts to a number's incoming-message webhook (compliance reference, "Incoming-message webhook"). */
export function buildIncomingParams(message: IncomingMessage): Record<string, string> {
  const keyword = matchTwilioKeyword(message.body);
  return {
    MessageSid: message.sid,
    SmsMessageSid: message.sid,
    SmsSid: message.sid,
    AccountSid: message.accountSid,
    ...(message.messagingServiceSid === undefined ? {} : { MessagingServiceSid: message.messagingServiceSid }),
    From: message.from,
    To: message.to,
    Body: message.body,
    NumMedia: '0',
    NumSegments: '1',
    ...(keyword === undefined ? {} : { OptOutType: keyword }),
    ...(isWhatsApp(message.from)
      ? { ProfileName: 'Sandbox Recipient', WaId: stripWhatsApp(message.from).slice(1) }
      : {}),
    ApiVersion: API_VERSION,
  };
}
