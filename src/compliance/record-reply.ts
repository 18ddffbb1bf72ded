import type { RedisClient } from '../redis/redis-connection.js';

import type { E164 } from '../domain/e164.js';
import type { Keys } from '../store/keys.js';
import type { OptOutList } from './opt-out-list.js';
import type { IncomingReply } from './parse-reply.js';

/** What a reply changed: an opt-out recorded or lifted, or nothing but a count (help, other). */
export type ReplyEffect = 'opted-out' | 'opted-in' | 'not-opted-out' | 'counted';

/**
 * Acts on a recipient's reply: an opt-out word puts the number on the installation's list with the words and the
 * sender written to, START/UNSTOP/YES take it off, and a WhatsApp message also records when the number last wrote
 * (its 24-hour session). Nothing else is kept of a reply: its text only when it opted out.
 */
export class ReplyRecorder {
  readonly #client: RedisClient;
  readonly #keys: Keys;
  readonly #optOuts: OptOutList;

  constructor(client: RedisClient, keys: Keys, optOuts: OptOutList) {
    this.#client = client;
    this.#keys = keys;
    this.#optOuts = optOuts;
  }

  async record(reply: IncomingReply): Promise<ReplyEffect> {
    if (reply.whatsapp) await this.#noteSession(reply.from);
    switch (reply.intent) {
      case 'opt-out':
        await this.#optOuts.add(reply.from, { source: 'reply', text: reply.body, sender: reply.to });
        return 'opted-out';
      case 'opt-in':
        return (await this.#optOuts.remove(reply.from)) ? 'opted-in' : 'not-opted-out';
      case 'help':
      case 'other':
        return 'counted';
    }
  }

  /** When the number last wrote, ms on Redis's clock, or undefined if it never did (or not since the key went). */
  async lastWroteAt(number: E164): Promise<number | undefined> {
    const value = await this.#client.hget(this.#keys.whatsappSessions, number);
    return value === null ? undefined : Number(value);
  }

  async #noteSession(number: E164): Promise<void> {
    await this.#client.hset(this.#keys.whatsappSessions, number, String(await this.#optOuts.now()));
  }
}
