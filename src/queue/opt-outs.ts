import type { RedisClient } from './redis-connection.js';

import type { E164 } from '../domain/e164.js';
import { tickBatch } from '../lib/tick-batch.js';
import type { Keys } from '../store/keys.js';

/**
 * Numbers that replied STOP (Twilio error 21610 on a send), kept for the whole installation: a later campaign never
 * texts them, from any sender. Twilio would refuse such a send anyway (and on a Messaging Service the opt-out
 * covers every sender of the service); skipping it before sending saves the request and reports why.
 */
export class OptOutList {
  readonly #client: RedisClient;
  readonly #key: string;
  /** The sends in flight ask together: one SMISMEMBER per turn of the event loop. */
  readonly #ask = tickBatch((numbers: readonly E164[]) => this.whichOptedOut(numbers));

  constructor(client: RedisClient, keys: Keys) {
    this.#client = client;
    this.#key = keys.optOuts;
  }

  async add(number: E164): Promise<void> {
    await this.#client.sadd(this.#key, number);
  }

  has(number: E164): Promise<boolean> {
    return this.#ask(number);
  }

  /** For each number, whether it opted out: one round trip for a whole chunk of a file. */
  async whichOptedOut(numbers: readonly E164[]): Promise<boolean[]> {
    if (numbers.length === 0) return [];
    return (await this.#client.smismember(this.#key, ...numbers)).map((member) => member === 1);
  }
}
