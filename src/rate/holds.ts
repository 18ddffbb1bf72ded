import { type Hold, type HoldOn, parseHold } from '../domain/hold.js';
import type { ChainLink, RateChain } from '../domain/rate-group.js';
import type { Keys } from '../store/keys.js';
import { type Clock, LOCAL_CLOCK } from '../redis/redis-clock.js';
import type { RedisClient } from '../redis/redis-connection.js';
import { scanKeys } from '../redis/scan-keys.js';
import { HOLD } from './rate-scripts.js';

/** The account's hold is one field of its hash (see hold-1.lua). */
const ACCOUNT_FIELD = 'hold';

/** What to put on: held until a time (ends by itself), or halted (until an operator resumes). */
export type HoldRequest =
  { state: 'held'; code: string; reason: string; until: number } | { state: 'halted'; code: string; reason: string };

/** A link on hold, as found in Redis: the tag of the chain hash that keeps it, the link's id and its hold. */
export interface HeldLink {
  tag: string;
  linkId: string;
  hold: Hold;
}

/**
 * Holds on senders, groups and the whole account, shared by every process through Redis: workers put them on when
 * Twilio's answer (or a daily cap) calls for one, the pacer reads a chain's holds in the same script that takes its
 * capacity, and `herald senders` / `herald groups` list and lift them.
 */
export class Holds {
  readonly #client: RedisClient;
  readonly #keys: Keys;
  readonly #cacheMs: number;
  /** Whether a hold is over is judged by this clock: Redis's in a worker, as the pacer's script judges it. */
  readonly #clock: Clock;
  /** The latest read of the account's hold, while it may be trusted (see accountHoldOf). */
  #accountRead: { at: number; hold: Promise<Hold | undefined> } | undefined;

  /**
   * `cacheMs`: how long a worker may trust that the account it saw sending still is. Every send checks, so a short
   * cache spares Redis most of those reads; a halt put on by another process meanwhile costs at most a few sends
   * that meet the same answer, which was not processed, and are held in turn. A hold found is never cached.
   */
  constructor(client: RedisClient, keys: Keys, cacheMs = 0, clock: Clock = LOCAL_CLOCK) {
    this.#client = client;
    this.#keys = keys;
    this.#cacheMs = cacheMs;
    this.#clock = clock;
  }

  /** Puts a hold on one link of a chain; true when this call put it on (exactly one process logs it). */
  async hold(chain: RateChain, link: ChainLink, request: HoldRequest): Promise<boolean> {
    return this.#put(this.#keys.rateChain(chain.tag), `${link.id}:hold`, request);
  }

  /** Holds every send of the account (its daily cap) or halts it (bad credentials); true when this call did. */
  async holdAccount(request: HoldRequest): Promise<boolean> {
    this.#accountRead = undefined;
    return this.#put(this.#keys.accountHold, ACCOUNT_FIELD, request);
  }

  /** Halts every send of the account (bad credentials); true when this call halted it. */
  haltAccount(code: string, reason: string): Promise<boolean> {
    return this.holdAccount({ state: 'halted', code, reason });
  }

  async #put(key: string, field: string, request: HoldRequest): Promise<boolean> {
    const until = request.state === 'held' ? Math.ceil(request.until) : 0;
    const args = [field, request.state, request.code, request.reason, until];
    return Number(await HOLD.run(this.#client, [key], args)) === 1;
  }

  /** The first hold in force on any link of the chain, sender first: one read of the chain's hash. */
  async heldIn(chain: RateChain, now = this.#clock.now()): Promise<{ link: ChainLink; hold: Hold } | undefined> {
    const fields = chain.links.map((link) => `${link.id}:hold`);
    const values = await this.#client.hmget(this.#keys.rateChain(chain.tag), ...fields);
    for (const [index, link] of chain.links.entries()) {
      const hold = parseHold(values[index], now);
      if (hold !== undefined) return { link, hold };
    }
    return undefined;
  }

  /**
   * What stops a sender now, for status: the account's hold first (it stops everything), else the first of its
   * chain's, sender first.
   */
  async holdOnChain(chain: RateChain, now = this.#clock.now()): Promise<HoldOn | undefined> {
    const [account, held] = await Promise.all([this.accountHold(now), this.heldIn(chain, now)]);
    if (account !== undefined) return { subject: 'account', level: 'account', hold: account };
    return held === undefined ? undefined : { subject: held.link.label, level: held.link.level, hold: held.hold };
  }

  /** Lifts a link's hold; returns the hold lifted, if one was in force. */
  async lift(tag: string, linkId: string, now = this.#clock.now()): Promise<Hold | undefined> {
    return this.#take(this.#keys.rateChain(tag), `${linkId}:hold`, now);
  }

  /** Lifts the account's hold; returns the hold lifted, if one was in force. */
  async liftAccount(now = this.#clock.now()): Promise<Hold | undefined> {
    this.#accountRead = undefined;
    return this.#take(this.#keys.accountHold, ACCOUNT_FIELD, now);
  }

  async #take(key: string, field: string, now: number): Promise<Hold | undefined> {
    const [[, json]] = (await this.#client.multi().hget(key, field).hdel(key, field).exec()) as [
      [unknown, string | null],
    ];
    return parseHold(json, now);
  }

  /** The account's hold, if any. */
  async accountHold(now = this.#clock.now()): Promise<Hold | undefined> {
    return parseHold(await this.#client.hget(this.#keys.accountHold, ACCOUNT_FIELD), now);
  }

  /** The account's hold, trusted for `cacheMs` once seen clear (see the constructor). */
  async accountHoldOf(now = this.#clock.now()): Promise<Hold | undefined> {
    const shared = this.#accountRead;
    if (shared !== undefined && now - shared.at < this.#cacheMs) return shared.hold;
    // One read shared by the sends that ask while it runs, so a busy worker does not read once per job in flight.
    const read = { at: now, hold: this.accountHold(now) };
    this.#accountRead = read;
    // A hold found, or a failed read, is trusted by none but the callers already waiting for it.
    const forget = () => {
      if (this.#accountRead === read) this.#accountRead = undefined;
    };
    read.hold.then((hold) => hold !== undefined && forget(), forget);
    return read.hold;
  }

  /** Every link on hold now, by SCAN over the chains' hashes (for the CLI and metrics, not the send path). */
  async heldLinks(now = this.#clock.now()): Promise<HeldLink[]> {
    const held: HeldLink[] = [];
    for await (const key of scanKeys(this.#client, this.#keys.rateChainPattern)) {
      const tag = /\{([^}]*)\}/.exec(key)?.[1];
      if (tag === undefined) continue;
      for (const [field, json] of Object.entries(await this.#client.hgetall(key))) {
        if (!field.endsWith(':hold')) continue;
        const hold = parseHold(json, now);
        if (hold !== undefined) held.push({ tag, linkId: field.slice(0, -':hold'.length), hold });
      }
    }
    return held.sort((a, b) => a.linkId.localeCompare(b.linkId));
  }
}
