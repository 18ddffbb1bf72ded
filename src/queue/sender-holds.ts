import { Queue } from 'bullmq';

import { type Clock, LOCAL_CLOCK } from './redis-clock.js';
import type { RedisClient } from './redis-connection.js';

import { effectiveHold, type HoldScope, parseSenderHold, type SenderHold } from '../domain/sender-hold.js';
import { senderId as idOf } from '../domain/sender.js';
import { forwardErrors } from './connection-errors.js';
import type { CampaignStore } from './campaign-store.js';
import { type Keys, queueNameOf } from '../store/keys.js';
import { scanKeys } from './scan-keys.js';
import { HOLD } from './sender-hold-scripts.js';

export interface HeldSender {
  senderId: string;
  hold: SenderHold;
}

/**
 * The senders (and the account) that send nothing for now, shared by every process through Redis: workers check
 * before each send and put holds on when Twilio's answer calls for one; `herald senders` lists and lifts them.
 */
export class SenderHolds {
  readonly #client: RedisClient;
  readonly #keys: Keys;
  readonly #cacheMs: number;
  /** Whether a pause is over is judged by this clock (Redis's, in a worker), as is when a hold began. */
  readonly #clock: Clock;
  /** When each sender was last seen with no hold. */
  readonly #clear = new Map<string, number>();
  /** The latest read of the account's hold, while it may be trusted (see accountHoldOf). */
  #accountRead: { at: number; hold: Promise<SenderHold | undefined> } | undefined;

  /**
   * `cacheMs`: how long a worker may trust that a sender it saw running still is. Every send checks, so a short
   * cache spares Redis most of those reads; a hold put on by another process meanwhile costs at most a few sends that
   * meet the same error, which was not processed, and are held in turn. A hold itself is never cached, so a resume
   * takes effect at once.
   */
  constructor(client: RedisClient, keys: Keys, cacheMs = 0, clock: Clock = LOCAL_CLOCK) {
    this.#client = client;
    this.#keys = keys;
    this.#cacheMs = cacheMs;
    this.#clock = clock;
  }

  /** The hold that stops a send from this sender now, if any (the account's or the sender's own). */
  async holdOf(senderId: string, now = this.#clock.now()): Promise<SenderHold | undefined> {
    if (now - (this.#clear.get(senderId) ?? -Infinity) < this.#cacheMs) return undefined;
    // Two keys in two slots, so two reads; a send that slips through between them meets the same error and is held.
    const [sender, account] = await Promise.all([
      this.#client.hgetall(this.#keys.senderHold(senderId)),
      this.#client.hgetall(this.#keys.accountHold),
    ]);
    const hold = effectiveHold(parseSenderHold(sender, 'sender', now), parseSenderHold(account, 'account', now));
    if (this.#cacheMs > 0 && hold === undefined) this.#clear.set(senderId, now);
    return hold;
  }

  /**
   * The account's hold that stops every send now, if any, trusted like `holdOf` for `cacheMs` once seen clear: the
   * send path reads the sender's own hold with its slot (sender-pacer.ts), so only this one is read apart.
   */
  async accountHoldOf(now = this.#clock.now()): Promise<SenderHold | undefined> {
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

  /** Pauses the sender until `until` (ms since epoch); true when this call started the pause. */
  async pause(
    senderId: string,
    until: number,
    code: string,
    reason: string,
    now = this.#clock.now(),
  ): Promise<boolean> {
    const args = ['paused', code, reason, now, until];
    this.#forgetClear();
    return Number(await HOLD.run(this.#client, [this.#keys.senderHold(senderId)], args)) === 1;
  }

  /** Halts the sender, or with scope 'account' every sender, until resumed; true when this call halted it. */
  async halt(
    scope: HoldScope,
    senderId: string,
    code: string,
    reason: string,
    now = this.#clock.now(),
  ): Promise<boolean> {
    const key = scope === 'account' ? this.#keys.accountHold : this.#keys.senderHold(senderId);
    this.#forgetClear();
    return Number(await HOLD.run(this.#client, [key], ['halted', code, reason, now, 0])) === 1;
  }

  /** Lifts the sender's hold (or the account's); returns the hold lifted, if there was one. */
  async resume(scope: HoldScope, senderId = '', now = this.#clock.now()): Promise<SenderHold | undefined> {
    const key = scope === 'account' ? this.#keys.accountHold : this.#keys.senderHold(senderId);
    this.#forgetClear();
    const [[, fields]] = (await this.#client.multi().hgetall(key).del(key).exec()) as [
      [unknown, Record<string, string>],
    ];
    return parseSenderHold(fields, scope, now);
  }

  #forgetClear(): void {
    this.#clear.clear();
    this.#accountRead = undefined;
  }

  /** The account's hold, if any. */
  async accountHold(now = this.#clock.now()): Promise<SenderHold | undefined> {
    return parseSenderHold(await this.#client.hgetall(this.#keys.accountHold), 'account', now);
  }

  /** Every sender on hold now, by SCAN (for the CLI and metrics, not the send path). */
  async heldSenders(now = this.#clock.now()): Promise<HeldSender[]> {
    const held: HeldSender[] = [];
    for await (const key of scanKeys(this.#client, this.#keys.senderHoldPattern)) {
      const senderId = /\{([^}]*)\}/.exec(key)?.[1];
      const hold = parseSenderHold(await this.#client.hgetall(key), 'sender', now);
      if (senderId !== undefined && hold !== undefined) held.push({ senderId, hold });
    }
    return held.sort((a, b) => a.senderId.localeCompare(b.senderId));
  }
}

/**
 * Makes the held jobs of a resumed sender (every sender, for the account) due now, in every active campaign: a held
 * job waits in BullMQ's delayed set for its next check, and a resume should not have to wait for it.
 * Returns the number of queues touched.
 */
export async function promoteHeldJobs(
  connection: RedisClient,
  keys: Keys,
  store: CampaignStore,
  senderId: string | undefined,
): Promise<number> {
  let touched = 0;
  for (const campaign of await store.activeNames()) {
    const record = await store.get(campaign);
    for (const entry of record?.spec.senders ?? []) {
      const id = idOf(entry.sender);
      if (senderId !== undefined && id !== senderId) continue;
      const queue = forwardErrors(
        new Queue(queueNameOf(campaign, id), { connection, prefix: keys.prefix }),
        connection,
      );
      try {
        await queue.promoteJobs();
        touched += 1;
      } finally {
        await queue.close();
      }
    }
  }
  return touched;
}
