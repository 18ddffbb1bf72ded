import type { RedisClient } from './redis-connection.js';

import type { CampaignName } from '../domain/campaign.js';
import type { Channel } from '../domain/channel.js';
import type { E164 } from '../domain/e164.js';
import type { Keys } from './keys.js';
import { tickBatchBy } from '../lib/tick-batch.js';
import { BEGIN_SEND, CLAIM, FINISH_INGEST, RELEASE, SETTLE } from './ledger-scripts.js';

/** new: first time in the campaign; queued: waiting on this sender; done: already attempted; taken: on another sender. */
export type ClaimResult = 'new' | 'queued' | 'done' | 'taken';

export type BeginResult =
  | { kind: 'go' }
  /** An earlier attempt set the in-flight mark and never cleared it: it may have reached Twilio. */
  | { kind: 'in-flight'; since: number }
  | { kind: 'final'; state: string }
  | { kind: 'missing' };

export type Settlement =
  { state: 'sent'; sid: string } | { state: 'failed'; code: string } | { state: 'unknown'; reason: string };

const CLAIM_RESULTS: Readonly<Record<string, ClaimResult>> = { '1': 'new', '0': 'queued', '2': 'done', '-1': 'taken' };
const SETTLE_CODES = { sent: 's', failed: 'f', unknown: 'u' } as const;

/** BEGIN_SEND's answer (ledger-scripts.ts), also given by the campaign gate's GATE_AND_BEGIN. */
export function parseBeginAnswer(answer: string): BeginResult {
  if (answer === 'go') return { kind: 'go' };
  if (answer === 'missing') return { kind: 'missing' };
  if (answer.startsWith('final:')) return { kind: 'final', state: answer.slice('final:'.length) };
  return { kind: 'in-flight', since: Number(answer.split(':')[1]) };
}

/** The campaign's recipient ledger (see ledger-scripts.ts): the one record of what happened to each recipient. */
export class Ledger {
  readonly #client: RedisClient;
  readonly #keys: Keys;
  /** The settles of one campaign that come in the same turn go to Redis as one call (see SETTLE). */
  readonly #settle = tickBatchBy((campaign: CampaignName, entries: readonly (readonly string[])[]) =>
    this.#settleMany(campaign, entries),
  );

  constructor(client: RedisClient, keys: Keys) {
    this.#client = client;
    this.#keys = keys;
  }

  #campaignKeys(campaign: CampaignName): string[] {
    return [this.#keys.recipients(campaign), this.#keys.counts(campaign), this.#keys.campaign(campaign)];
  }

  async claim(
    campaign: CampaignName,
    entries: readonly { to: E164; senderId: string; channel: Channel }[],
  ): Promise<ClaimResult[]> {
    if (entries.length === 0) return [];
    const lines = entries.map((entry) => `${entry.to} ${entry.senderId} ${entry.channel}`).join('\n');
    const codes = (await CLAIM.run(this.#client, this.#campaignKeys(campaign).slice(0, 2), [lines])) as number[];
    // Numbers are E.164 and sender ids and channels are single words, so every line is one claim; say so if not.
    if (codes.length !== entries.length)
      throw new Error(`the ledger answered ${codes.length} of ${entries.length} claims`);
    return codes.map((code) => CLAIM_RESULTS[String(code)] ?? 'taken');
  }

  /** The recipient's final state (`s:…`, `f:…`, `u:…`, `c:…`), or undefined while it is still to be sent. */
  async settledState(campaign: CampaignName, to: E164): Promise<string | undefined> {
    const state = await this.#client.hget(this.#keys.recipients(campaign), to);
    return state !== null && 'sfuc'.includes(state[0] ?? '') ? state : undefined;
  }

  async begin(campaign: CampaignName, to: E164, token: string): Promise<BeginResult> {
    const keys = [this.#keys.recipients(campaign)];
    return parseBeginAnswer(String(await BEGIN_SEND.run(this.#client, keys, [to, Date.now(), token])));
  }

  async release(campaign: CampaignName, to: E164, senderId: string): Promise<void> {
    await RELEASE.run(this.#client, [this.#keys.recipients(campaign)], [to, senderId]);
  }

  /**
   * Settles a recipient; `finished` is true when this settlement completed the campaign. `record`, kept beside the
   * ledger in the same step, is what the report and resend-failed read of it (report/recipient-detail.ts).
   */
  async settle(
    campaign: CampaignName,
    to: E164,
    channel: Channel,
    settlement: Settlement,
    record = '',
  ): Promise<{ changed: boolean; finished: boolean }> {
    const detail =
      settlement.state === 'sent'
        ? settlement.sid
        : settlement.state === 'failed'
          ? settlement.code
          : settlement.reason;
    const code = await this.#settle(campaign, [
      to,
      SETTLE_CODES[settlement.state],
      detail,
      channel,
      new Date().toISOString(),
      record,
    ]);
    return { changed: code >= 1, finished: code === 2 };
  }

  async #settleMany(campaign: CampaignName, entries: readonly (readonly string[])[]): Promise<number[]> {
    const keys = [...this.#campaignKeys(campaign), this.#keys.details(campaign)];
    return ((await SETTLE.run(this.#client, keys, entries.flat())) as unknown[]).map(Number);
  }

  /** Marks the producer's pass over the file complete; true when that also finished the campaign. */
  async finishIngest(campaign: CampaignName): Promise<boolean> {
    const args = [new Date().toISOString()];
    return Number(await FINISH_INGEST.run(this.#client, this.#campaignKeys(campaign), args)) === 1;
  }
}
