import { EventEmitter } from 'node:events';

import type { Channel } from '../domain/channel.js';
import type { SenderHold } from '../domain/sender-hold.js';
import { RECORD_RESULTS } from '../store/receipts.js';

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

/** What became of a status callback: a RecordResult once it reached Redis, else why it did not. */
export const CALLBACK_RESULTS = [...RECORD_RESULTS, 'forbidden', 'invalid', 'ignored', 'unavailable'] as const;

/** What became of one status callback from Twilio. */
export interface ReceiptEvent {
  /** Absent when the request was refused before anything in it could be trusted. */
  campaign?: string;
  result: (typeof CALLBACK_RESULTS)[number];
  sid?: string;
  status?: string;
  code?: string;
  channel?: Channel;
  reason?: string;
}

export interface SendEventMap {
  attempt: [SendAttempt];
  receipt: [ReceiptEvent];
  'campaign:finished': [{ campaign: string }];
  /** This process put a sender (or the account) on hold; emitted once across all processes per hold. */
  'sender:held': [{ campaign: string; senderId: string; hold: SenderHold }];
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
