import type { RedisClient } from '../queue/redis-connection.js';

import type { CampaignName } from '../domain/campaign.js';
import type { Channel } from '../domain/channel.js';
import type { E164 } from '../domain/e164.js';
import { tickBatchBy } from '../lib/tick-batch.js';
import type { Keys } from './keys.js';
import {
  encodeRecipientState,
  type FinalState,
  isFinalState,
  parseRecipientState,
  type RecipientState,
  settlementKind,
} from './ledger-state.js';
import { RedisScript } from './redis-script.js';

/** new: first time in the campaign; queued: waiting on this sender; done: already attempted; taken: on another sender. */
export type ClaimResult = 'new' | 'queued' | 'done' | 'taken';

export type BeginResult =
  | { kind: 'go' }
  /**
   * An attempt (`token`) set the in-flight mark and never cleared it. `written`: it recorded that its request was
   * written, so it may have reached Twilio; else it may have stopped before writing it.
   */
  | ({ kind: 'in-flight'; written: boolean } & InFlightMark)
  | { kind: 'final'; state: FinalState }
  | { kind: 'missing' };

/** Which attempt set an in-flight mark: when it began (ms) and its token. */
export type InFlightMark = Pick<Extract<RecipientState, { state: 'in-flight' }>, 'since' | 'token'>;

export type Settlement =
  { state: 'sent'; sid: string } | { state: 'failed'; code: string } | { state: 'unknown'; reason: string };

const CLAIM = RedisScript.load('claim', { replicated: true });
const BEGIN_SEND = RedisScript.load('begin-send', { replicated: true });
const RELEASE = RedisScript.load('release', { replicated: true });
const SETTLE = RedisScript.load('settle', { replicated: true });
const FINISH_INGEST = RedisScript.load('finish-ingest', { replicated: true });
const REQUEUE = RedisScript.load('requeue');
const MOVE_MARK = RedisScript.load('move-mark', { replicated: true });

const CLAIM_RESULTS: Readonly<Record<string, ClaimResult>> = { '1': 'new', '0': 'queued', '2': 'done', '-1': 'taken' };

/** The ledger's begin answer (begin-one.lua), also given by the campaign gate when it is open. */
export function parseBeginAnswer(answer: string): BeginResult {
  if (answer === 'go') return { kind: 'go' };
  if (answer === 'missing') return { kind: 'missing' };
  if (answer.startsWith('final:')) {
    const state = parseRecipientState(answer.slice('final:'.length));
    if (isFinalState(state)) return { kind: 'final', state };
  }
  const state = parseRecipientState(answer);
  const { since, token, written } =
    state.state === 'in-flight' ? state : { since: Number.NaN, token: '', written: true };
  return { kind: 'in-flight', since, token, written };
}

/**
 * The campaign's recipient ledger (ledger-state.ts): the one record of what happened to each recipient, moved only
 * by the Lua scripts behind these methods, which move the campaign's counters in the same step, so that they stay
 * exact however often BullMQ redelivers a job.
 */
export class Ledger {
  readonly #client: RedisClient;
  readonly #keys: Keys;
  /** The settles of one campaign that come in the same turn go to Redis as one call (see settle-4.lua). */
  readonly #settle = tickBatchBy((campaign: CampaignName, entries: readonly (readonly string[])[]) =>
    this.#settleMany(campaign, entries),
  );

  constructor(client: RedisClient, keys: Keys) {
    this.#client = client;
    this.#keys = keys;
  }

  async claim(
    campaign: CampaignName,
    entries: readonly { to: E164; senderId: string; channel: Channel }[],
  ): Promise<ClaimResult[]> {
    if (entries.length === 0) return [];
    const lines = entries.map((entry) => `${entry.to} ${entry.senderId} ${entry.channel}`).join('\n');
    const keys = [this.#keys.recipients(campaign), this.#keys.counts(campaign)];
    const codes = (await CLAIM.run(this.#client, keys, [lines])) as number[];
    // Numbers are E.164 and sender ids and channels are single words, so every line is one claim; say so if not.
    if (codes.length !== entries.length)
      throw new Error(`the ledger answered ${codes.length} of ${entries.length} claims`);
    return codes.map((code) => CLAIM_RESULTS[String(code)] ?? 'taken');
  }

  /** The recipient's final state, or undefined while it is still to be sent (or not in the ledger). */
  async settledState(campaign: CampaignName, to: string): Promise<FinalState | undefined> {
    const value = await this.#client.hget(this.#keys.recipients(campaign), to);
    if (value === null) return undefined;
    const state = parseRecipientState(value);
    return isFinalState(state) ? state : undefined;
  }

  async begin(campaign: CampaignName, to: E164, token: string): Promise<BeginResult> {
    const keys = [this.#keys.recipients(campaign)];
    return parseBeginAnswer(String(await BEGIN_SEND.run(this.#client, keys, [to, Date.now(), token])));
  }

  async release(campaign: CampaignName, to: E164, senderId: string): Promise<void> {
    await RELEASE.run(this.#client, [this.#keys.recipients(campaign)], [to, senderId]);
  }

  /**
   * Records that the attempt that set `mark` (not yet written) has written its request, unless the recipient has
   * moved on meanwhile (settled, released): true when recorded.
   */
  markWritten(campaign: CampaignName, to: E164, mark: InFlightMark): Promise<boolean> {
    return this.#moveMark(campaign, to, mark, encodeRecipientState({ state: 'in-flight', ...mark, written: true }));
  }

  /**
   * Puts the recipient back to queued on `senderId` if it still holds `mark`, an attempt's mark never recorded as
   * written: true when released.
   */
  releaseUnwritten(campaign: CampaignName, to: E164, mark: InFlightMark, senderId: string): Promise<boolean> {
    return this.#moveMark(campaign, to, mark, encodeRecipientState({ state: 'queued', senderId }));
  }

  async #moveMark(campaign: CampaignName, to: E164, mark: InFlightMark, target: string): Promise<boolean> {
    const expected = encodeRecipientState({ state: 'in-flight', ...mark, written: false });
    return (await this.#moveMarks(campaign, [to, expected, target])) === 1;
  }

  /** The mark moves asked in one turn of the event loop, one call per campaign. */
  readonly #moveMarks = tickBatchBy(async (campaign: CampaignName, moves: readonly (readonly string[])[]) =>
    ((await MOVE_MARK.run(this.#client, [this.#keys.recipients(campaign)], moves.flat())) as unknown[]).map(Number),
  );

  /**
   * Settles a recipient; `finished` is true when this settlement completed the campaign, `confirmed` false when a
   * replica was waited for and did not confirm the write (RedisScript.runConfirmed). `record`, kept beside the ledger
   * in the same step, is what the report and resend-failed read of it (recipient-detail.ts).
   */
  async settle(
    campaign: CampaignName,
    to: E164,
    channel: Channel,
    settlement: Settlement,
    record = '',
  ): Promise<{ changed: boolean; finished: boolean; confirmed: boolean }> {
    const detail =
      settlement.state === 'sent'
        ? settlement.sid
        : settlement.state === 'failed'
          ? settlement.code
          : settlement.reason;
    const { code, confirmed } = await this.#settle(campaign, [
      to,
      settlementKind(settlement.state),
      detail,
      channel,
      new Date().toISOString(),
      record,
    ]);
    return { changed: code >= 1, finished: code === 2, confirmed };
  }

  async #settleMany(
    campaign: CampaignName,
    entries: readonly (readonly string[])[],
  ): Promise<{ code: number; confirmed: boolean }[]> {
    const keys = [
      this.#keys.recipients(campaign),
      this.#keys.counts(campaign),
      this.#keys.campaign(campaign),
      this.#keys.details(campaign),
    ];
    const { result, confirmed } = await SETTLE.runConfirmed(this.#client, keys, entries.flat());
    return (result as unknown[]).map((code) => ({ code: Number(code), confirmed }));
  }

  /** Marks the producer's pass over the file complete; true when that also finished the campaign. */
  async finishIngest(campaign: CampaignName): Promise<boolean> {
    const keys = [this.#keys.counts(campaign), this.#keys.campaign(campaign)];
    return Number(await FINISH_INGEST.run(this.#client, keys, [new Date().toISOString()])) === 1;
  }

  /**
   * Puts a settled recipient back to queued on `senderId` for resend-failed, with its counters, if its state is
   * still `expected` (a failure, or a sent message whose receipt said undelivered). True when it was requeued.
   */
  async requeue(
    campaign: CampaignName,
    to: string,
    expected: Extract<FinalState, { state: 'sent' | 'failed' }>,
    senderId: string,
    channel: Channel,
  ): Promise<boolean> {
    const keys = [
      this.#keys.recipients(campaign),
      this.#keys.counts(campaign),
      this.#keys.campaign(campaign),
      this.#keys.receipts(campaign),
    ];
    const args = [to, encodeRecipientState(expected), senderId, channel];
    return Number(await REQUEUE.run(this.#client, keys, args)) === 1;
  }
}
