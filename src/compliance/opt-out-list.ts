import type { RedisClient } from '../redis/redis-connection.js';

import { decodeOptOut, encodeOptOut, type OptOutRecord } from './opt-out-record.js';
import type { E164 } from '../domain/e164.js';
import { tickBatch } from '../lib/tick-batch.js';
import type { Keys } from '../store/keys.js';

/** An opt-out without its time, which the list stamps with Redis's clock (one clock for every process). */
export type OptOutEntry = Omit<OptOutRecord, 'at'>;

/**
 * Numbers that opted out, kept for the whole installation as a hash of number → record (opt-out-record.ts): a later
 * campaign never texts them, from any sender, and each entry says when, how and through which sender. Twilio would
 * refuse a send to a number that replied STOP to that sender anyway; skipping it before sending saves the request,
 * covers every other sender, and reports why.
 */
export class OptOutList {
  readonly #client: RedisClient;
  readonly #key: string;
  /** The sends in flight ask together: one HMGET per turn of the event loop. */
  readonly #ask = tickBatch((numbers: readonly E164[]) => this.whichOptedOut(numbers));

  constructor(client: RedisClient, keys: Keys) {
    this.#client = client;
    this.#key = keys.optOuts;
  }

  /**
   * Records an opt-out. A reply replaces an earlier record (the latest revocation is the one to show); any other
   * source keeps an existing record, which says more (a 21610 refusal only echoes a STOP already replied).
   * Whether the number was not on the list before.
   */
  async add(number: E164, entry: OptOutEntry): Promise<boolean> {
    const value = encodeOptOut({ at: await this.now(), ...entry });
    const added =
      entry.source === 'reply'
        ? await this.#client.hset(this.#key, number, value)
        : await this.#client.hsetnx(this.#key, number, value);
    return added === 1;
  }

  /** Takes a number off the list (it replied START, or an operator removed it). Whether it was on it. */
  async remove(number: E164): Promise<boolean> {
    return (await this.#client.hdel(this.#key, number)) === 1;
  }

  has(number: E164): Promise<boolean> {
    return this.#ask(number);
  }

  /** The record of one number, undefined when it has not opted out. */
  async recordOf(number: E164): Promise<OptOutRecord | undefined> {
    const value = await this.#client.hget(this.#key, number);
    return value === null ? undefined : decodeOptOut(value);
  }

  /** For each number, whether it opted out: one round trip for a whole chunk of a file. */
  async whichOptedOut(numbers: readonly E164[]): Promise<boolean[]> {
    if (numbers.length === 0) return [];
    return (await this.#client.hmget(this.#key, ...numbers)).map((value) => value !== null);
  }

  /** Every number on the list with its record, a thousand at a time (HSCAN: a number added meanwhile may be missed). */
  async *entries(): AsyncGenerator<{ number: E164; record: OptOutRecord | undefined }> {
    let cursor = '0';
    do {
      const [next, flat] = await this.#client.hscan(this.#key, cursor, 'COUNT', 1000);
      cursor = next;
      for (let i = 0; i + 1 < flat.length; i += 2) {
        yield { number: flat[i] as E164, record: decodeOptOut(flat[i + 1]!) };
      }
    } while (cursor !== '0');
  }

  /** Redis's clock, in ms since the epoch. */
  async now(): Promise<number> {
    const [seconds, micros] = await this.#client.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }
}
