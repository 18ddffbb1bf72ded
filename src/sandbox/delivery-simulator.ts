import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';

import { isWhatsApp } from './address.js';
import { BoundedLog } from './bounded-log.js';
import type { CallbackSettings } from './callback-settings.js';
import { nowMs } from './clock.js';
import { type DeliveryEvent, planDelivery } from './delivery-plan.js';
import type { MessageFacts } from './message-resource.js';
import type { FormPoster } from './post-form.js';
import { makeRandom, pickSeed, type Random } from './random.js';
import { postSigned } from './signed-post.js';
import { buildCallbackParams, type CallbackRecord } from './status-callback.js';

/** Bound on kept callback records (a few hundred bytes each), as for the request log. */
export const MAX_CALLBACK_RECORDS = 1_000_000;

export interface DeliverySimulatorOptions {
  settings: CallbackSettings;
  authToken: string;
  poster: FormPoster;
}

/**
 * Plays out each accepted message's delivery: plans its statuses (which the resource then shows as time
 * passes, with no timer per message) and, for a message with a StatusCallback, posts each status there at
 * its time, signed, one after another. Never on the create's path: posting starts after the create is
 * answered and a slow receiver holds up only that message's later callbacks.
 */
export class DeliverySimulator {
  readonly #options: DeliverySimulatorOptions;
  readonly #random: Random;
  readonly #records = new BoundedLog<CallbackRecord>(MAX_CALLBACK_RECORDS);
  #cancel = new AbortController();
  #pending = 0;
  #idle: Array<() => void> = [];

  constructor(options: DeliverySimulatorOptions) {
    this.#options = options;
    this.#random = makeRandom(options.settings.seed ?? pickSeed());
    this.#allowManyListeners(this.#cancel.signal);
  }

  /** The message with its planned delivery; its callbacks, if it asked for them, are scheduled. */
  deliver(facts: MessageFacts, leavesQueueAt: number): MessageFacts {
    const events = planDelivery(leavesQueueAt, isWhatsApp(facts.to), this.#options.settings, this.#random);
    const planned: MessageFacts = { ...facts, delivery: events };
    if (facts.statusCallback !== undefined) this.#track(this.#post(planned, facts.statusCallback, events));
    return planned;
  }

  /** Callbacks sent so far, oldest first (a copy). */
  records(): readonly CallbackRecord[] {
    return this.#records.items().slice();
  }

  /** Resolves once no callback is waiting or in flight (at once if none is). */
  settled(): Promise<void> {
    return this.#pending === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Drops every pending callback and the records (on reset); later messages are delivered as usual. */
  reset(): void {
    this.#cancel.abort();
    this.#cancel = new AbortController();
    this.#allowManyListeners(this.#cancel.signal);
    this.#records.clear();
  }

  close(): void {
    this.#cancel.abort();
    this.#options.poster.close();
  }

  async #post(facts: MessageFacts, url: string, events: readonly DeliveryEvent[]): Promise<void> {
    const signal = this.#cancel.signal;
    for (const event of events) {
      const wait = event.at - nowMs();
      if (wait > 0) await delay(wait, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      const params = buildCallbackParams(facts, event);
      const sentAt = nowMs();
      const answer = await postSigned(this.#options.poster, this.#options.authToken, url, params, signal);
      if (signal.aborted) return;
      this.#records.push({ messageSid: facts.sid, url, params, ...answer, sentAt });
    }
  }

  #track(work: Promise<void>): void {
    this.#pending += 1;
    void work
      .catch(() => undefined)
      .finally(() => {
        this.#pending -= 1;
        if (this.#pending === 0) for (const resolve of this.#idle.splice(0)) resolve();
      });
  }

  #allowManyListeners(signal: AbortSignal): void {
    // Every message waiting for its next callback listens for cancellation; thousands are normal, not a leak.
    setMaxListeners(0, signal);
  }
}
