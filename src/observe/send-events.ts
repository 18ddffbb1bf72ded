import { EventEmitter } from 'node:events';

import type { Channel } from '../domain/channel.js';
import type { Hold } from '../domain/hold.js';
import type { LinkLevel } from '../domain/rate-group.js';
import type { ReplyIntent } from '../compliance/reply-keyword.js';
import type { ReplyEffect } from '../compliance/record-reply.js';
import type { OptOutSource } from '../compliance/opt-out-record.js';
import type { HoldReason } from '../store/held-recipients.js';
import { RECORD_RESULTS, type RecordResult } from '../store/receipts.js';

/** What happened to one attempt at one message; metrics and logs subscribe to these. */
export interface SendAttempt {
  campaign: string;
  senderId: string;
  channel: Channel;
  /** sent/failed/unknown settle the recipient; retry will try again; skipped found it already settled. */
  outcome: 'sent' | 'failed' | 'unknown' | 'retry' | 'skipped';
  /** What the message costs against its sender's rate: SMS segments, else 1. */
  cost: number;
  /** Twilio error code or herald's reason code, for failed and retry. */
  code?: string;
  reason?: string;
  /** Time the create call took, when one was made. */
  durationSeconds?: number;
  jobId: string;
  line: number;
  sid?: string;
}

/** What became of a signed status callback: a RecordResult once it reached Redis, else why it did not. */
export const CALLBACK_RESULTS = [...RECORD_RESULTS, 'invalid', 'ignored', 'unavailable'] as const;

/** What became of one status callback from Twilio, or of a status fetched from Twilio in its place. */
export interface ReceiptEvent {
  campaign: string;
  result: (typeof CALLBACK_RESULTS)[number];
  sid?: string;
  status?: string;
  code?: string;
  channel?: Channel;
  reason?: string;
}

/**
 * Why the webhook (status callbacks and replies) refused a request before trusting anything in it: `not-found` (no callback path), `method` (not
 * POST), `media-type` (not a form), `too-large` (body or headers over the limit), `unsigned` (no well-formed
 * X-Twilio-Signature), `signature` (it does not verify), `malformed` (the HTTP could not be parsed or the body
 * read), `timeout` (too slow to send its request, or idle), `connections` (over the limit of open connections).
 */
export const WEBHOOK_REJECTIONS = [
  'not-found',
  'method',
  'media-type',
  'too-large',
  'unsigned',
  'signature',
  'malformed',
  'timeout',
  'connections',
] as const;
export type WebhookRejection = (typeof WEBHOOK_REJECTIONS)[number];

/** What became of a signed incoming message: recorded, not a message herald can read, or Redis away (503). */
export const REPLY_RESULTS = ['recorded', 'invalid', 'unavailable'] as const;

/**
 * One incoming message to a sender. Without the number that wrote or its text: both are personal data, kept only in
 * the opt-out record when the reply opted out.
 */
export interface ReplyEvent {
  result: (typeof REPLY_RESULTS)[number];
  /** `unknown` for a form that could not be read. */
  intent: ReplyIntent | 'unknown';
  sid?: string;
  /** The sender written to (`+1415…`, `whatsapp:+1…`, a short code). */
  sender?: string;
  channel?: 'sms' | 'whatsapp';
  effect?: ReplyEffect;
  reason?: string;
}

/** A status fetched from Twilio for a message whose callbacks never came (see receipt-sweep.ts). */
export interface FetchedReceiptEvent {
  campaign: string;
  sid: string;
  /** What recording it did, `not-final` when Twilio has no final status yet, or `failed` when the fetch failed. */
  result: RecordResult | 'not-final' | 'gone' | 'failed';
  status?: string;
  reason?: string;
}

export interface SendEventMap {
  attempt: [SendAttempt];
  receipt: [ReceiptEvent];
  'receipt:fetched': [FetchedReceiptEvent];
  reply: [ReplyEvent];
  'webhook:rejected': [{ reason: WebhookRejection; remote?: string }];
  'campaign:finished': [{ campaign: string }];
  /**
   * This process put a hold on a sender, a group or the account (`subject`: the sender id, the group's name, or
   * `account`); emitted once across all processes per hold.
   */
  held: [{ campaign?: string; subject: string; level: LinkLevel | 'account'; hold: Hold }];
  /** A recipient waits for a compliance rule (quiet hours, the frequency cap), using no attempt; `until`: Redis's clock. */
  'recipient:held': [{ campaign: string; reason: HoldReason; until: number }];
  /** This process put a number on the opt-out list (a reply, or Twilio's 21610). */
  'opted-out': [{ source: OptOutSource }];
}

/** A typed event emitter: the worker emits, metrics and logs listen, neither knows the other. */
export class SendEvents {
  readonly #emitter = new EventEmitter();

  on<K extends keyof SendEventMap>(event: K, listener: (...args: SendEventMap[K]) => void): this {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** A listener that throws must not break a send, so errors are caught and reported as 'error' events. */
  emit<K extends keyof SendEventMap>(event: K, ...args: SendEventMap[K]): void {
    for (const listener of this.#emitter.listeners(event)) {
      try {
        (listener as (...values: SendEventMap[K]) => void)(...args);
      } catch (error) {
        process.emitWarning(`herald: a ${event} listener threw: ${String(error)}`);
      }
    }
  }
}
