import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';

import { isWhatsApp, stripWhatsApp } from './address.js';
import { BoundedLog } from './bounded-log.js';
import { nowMs } from './clock.js';
import { buildIncomingParams, matchTwilioKeyword, pickReplyBody } from './incoming-message.js';
import type { MessageFacts } from './message-resource.js';
import type { FormPoster } from './post-form.js';
import { drawBetween, drawWeighted, makeRandom, pickSeed, type Random } from './random.js';
import type { RecipientSettings } from './reply-settings.js';
import { postSigned, type SignedPostResult } from './signed-post.js';
import { makeTwilioError, type TwilioError } from './twilio-error.js';

/** One reply as posted to the incoming-message webhook, for `GET /sandbox/replies`. */
export interface ReplyRecord extends Partial<SignedPostResult> {
  messageSid: string;
  /** Absent when no replyUrl is set: the reply still took effect at "Twilio" (opt-out, WhatsApp session). */
  url?: string;
  params: Record<string, string>;
  sentAt: number;
}

/** What a recipient writes, addressed as in Twilio's webhook. */
export interface ReplyInput {
  /** The recipient (E.164, or `whatsapp:+…`). */
  from: string;
  /** The sender written to. */
  to: string;
  body: string;
  /** The Messaging Service the sender belongs to, if the message replied to came through one. */
  messagingServiceSid?: string;
}

const SESSION_MS = 24 * 60 * 60 * 1000;
const MAX_REPLY_RECORDS = 100_000;

const OPTED_OUT = makeTwilioError(21610);
const OUTSIDE_SESSION = makeTwilioError(
  63016,
  'Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.',
);

/**
 * Plays the recipients: some reply to what they receive (posted, signed, to the incoming-message webhook), and what
 * they reply acts as it does at Twilio. A Twilio keyword STOP opts the recipient out of the sender it wrote to (of
 * the whole Messaging Service, when the message came through one) until START, and later creates get 21610; a
 * WhatsApp recipient who writes opens a 24-hour session for free-form messages from that sender.
 */
export class Recipients {
  readonly #settings: RecipientSettings;
  readonly #authToken: string;
  readonly #accountSid: string;
  readonly #poster: FormPoster;
  readonly #random: Random;
  readonly #optedOut = new Set<string>();
  readonly #lastWrote = new Map<string, number>();
  readonly #records = new BoundedLog<ReplyRecord>(MAX_REPLY_RECORDS);
  #cancel = new AbortController();
  #pending = 0;
  #idle: Array<() => void> = [];

  constructor(settings: RecipientSettings, accountSid: string, authToken: string, poster: FormPoster) {
    this.#settings = settings;
    this.#accountSid = accountSid;
    this.#authToken = authToken;
    this.#poster = poster;
    this.#random = makeRandom(settings.seed ?? pickSeed());
    setMaxListeners(0, this.#cancel.signal);
  }

  /** Why Twilio would refuse this message to its recipient now, if it would. */
  refusal(facts: MessageFacts, at: number): TwilioError | undefined {
    if (this.#optedOut.has(optOutKey(facts.messagingServiceSid ?? facts.from ?? '', facts.to))) return OPTED_OUT;
    if (this.#settings.whatsappSessions && isWhatsApp(facts.to) && facts.contentSid === undefined) {
      const wrote = this.#lastWrote.get(sessionKey(facts.from ?? facts.messagingServiceSid ?? '', facts.to));
      if (wrote === undefined || at - wrote > SESSION_MS) return OUTSIDE_SESSION;
    }
    return undefined;
  }

  /** After an accepted message leaves its sender's queue, its recipient may reply (replyShare of them). */
  afterAccepted(facts: MessageFacts, leavesQueueAt: number): void {
    if (this.#settings.replyUrl === undefined || this.#random() >= this.#settings.replyShare) return;
    const kind = drawWeighted(this.#random, this.#settings.replyMix);
    const body = pickReplyBody(kind, this.#random);
    const at = leavesQueueAt + drawBetween(this.#random, this.#settings.replyDelayMs);
    const input: ReplyInput = {
      from: facts.to,
      to: facts.from ?? facts.messagingServiceSid ?? '',
      body,
      ...(facts.messagingServiceSid === undefined ? {} : { messagingServiceSid: facts.messagingServiceSid }),
    };
    const signal = this.#cancel.signal;
    this.#track(
      (async () => {
        const wait = at - nowMs();
        if (wait > 0) await delay(wait, undefined, { signal }).catch(() => undefined);
        if (!signal.aborted) await this.reply(input);
      })(),
    );
  }

  /** A recipient writes now: the reply takes effect, then is posted to the webhook (when one is set). */
  async reply(input: ReplyInput): Promise<ReplyRecord> {
    const at = nowMs();
    const keyword = matchTwilioKeyword(input.body);
    const scope = input.messagingServiceSid ?? input.to;
    if (keyword === 'STOP') this.#optedOut.add(optOutKey(scope, input.from));
    if (keyword === 'START') this.#optedOut.delete(optOutKey(scope, input.from));
    if (isWhatsApp(input.from)) this.#lastWrote.set(sessionKey(input.to, input.from), at);
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const params = buildIncomingParams({
      accountSid: this.#accountSid,
      sid,
      from: input.from,
      to: input.to,
      messagingServiceSid: input.messagingServiceSid,
      body: input.body,
    });
    const url = this.#settings.replyUrl;
    const answer =
      url === undefined ? {} : await postSigned(this.#poster, this.#authToken, url, params, this.#cancel.signal);
    const record: ReplyRecord = {
      messageSid: sid,
      ...(url === undefined ? {} : { url }),
      params,
      ...answer,
      sentAt: at,
    };
    this.#records.push(record);
    return record;
  }

  records(): readonly ReplyRecord[] {
    return this.#records.items().slice();
  }

  /** Resolves once no planned reply is waiting or in flight. */
  settled(): Promise<void> {
    return this.#pending === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Forgets opt-outs, sessions, records and planned replies. */
  reset(): void {
    this.#cancel.abort();
    this.#cancel = new AbortController();
    setMaxListeners(0, this.#cancel.signal);
    this.#optedOut.clear();
    this.#lastWrote.clear();
    this.#records.clear();
  }

  close(): void {
    this.#cancel.abort();
    this.#poster.close();
  }

  #track(work: Promise<unknown>): void {
    this.#pending += 1;
    void work
      .catch(() => undefined)
      .finally(() => {
        this.#pending -= 1;
        if (this.#pending === 0) for (const resolve of this.#idle.splice(0)) resolve();
      });
  }
}

/** Opt-outs are per sender (or Messaging Service) and recipient number, whatever the channel prefix. */
function optOutKey(scope: string, recipient: string): string {
  return `${stripWhatsApp(scope)}|${stripWhatsApp(recipient)}`;
}

function sessionKey(sender: string, recipient: string): string {
  return `${stripWhatsApp(sender)}|${stripWhatsApp(recipient)}`;
}
