import type { E164 } from '../domain/e164.js';
import { tickBatch } from '../lib/tick-batch.js';
import type { RedisClient } from '../redis/redis-connection.js';
import type { Keys } from '../store/keys.js';

/** WhatsApp lets a business send free-form messages for 24 hours after the user last wrote to it. */
export const WHATSAPP_SESSION_MS = 24 * 3_600_000;

/**
 * Whether a recipient's WhatsApp session is open at `now`: it wrote within 24 hours before (`lastWroteAt`, ms on
 * Redis's clock, as the reply webhook records it). Pure.
 */
export function isSessionOpen(lastWroteAt: number | undefined, now: number): boolean {
  return lastWroteAt !== undefined && now - lastWroteAt < WHATSAPP_SESSION_MS;
}

/** When each number last wrote on WhatsApp (the reply webhook's record); the sends in flight ask together. */
export class WhatsAppSessions {
  readonly #client: RedisClient;
  readonly #key: string;
  readonly #ask = tickBatch(async (numbers: readonly E164[]) =>
    (await this.#client.hmget(this.#key, ...numbers)).map((value) => (value === null ? undefined : Number(value))),
  );

  constructor(client: RedisClient, keys: Keys) {
    this.#client = client;
    this.#key = keys.whatsappSessions;
  }

  /** ms on Redis's clock, or undefined when it never wrote. */
  lastWroteAt(number: E164): Promise<number | undefined> {
    return this.#ask(number);
  }
}
