import pLimit from 'p-limit';

import type { CampaignName } from '../domain/campaign.js';
import type { E164 } from '../domain/e164.js';
import { tickBatchBy } from '../lib/tick-batch.js';
import type { RedisClient } from '../redis/redis-connection.js';
import { type GateAnswer, type GateAsk, gateAndBegin } from '../store/campaign-states.js';
import type { Keys } from '../store/keys.js';
import type { BeginResult } from '../store/ledger.js';
import { keepDetailIfNone, type RecipientDetail } from '../store/recipient-detail.js';

export type { GateAnswer };

/**
 * Sends of one process between their in-flight mark and their request, at most: a worker killed while the gate's
 * answers are on their way (a round trip; seconds on a starved host) leaves at most this many marks without a request,
 * each then sent only once the lookup's patience has passed (look-up-lost.ts). At a round trip of 2 ms it still lets
 * 8,000 sends a second through.
 */
const BEGINS_AT_ONCE = 16;

/** The worker's side of pause, resume, cancel and scheduled starts: the campaign's state, read just before a send. */
export class CampaignGate {
  readonly #client: RedisClient;
  readonly #keys: Keys;
  readonly #asking = pLimit(BEGINS_AT_ONCE);
  /** The sends of one campaign that ask in the same turn go to Redis as one call (see gate-and-begin-3.lua). */
  readonly #ask = tickBatchBy((campaign: CampaignName, asks: readonly GateAsk[]) =>
    gateAndBegin(this.#client, this.#keys, campaign, asks),
  );

  constructor(client: RedisClient, keys: Keys) {
    this.#client = client;
    this.#keys = keys;
  }

  /**
   * The gate and, when it is open, the ledger's begin (store/ledger.ts) in one round trip: what a worker asks just
   * before a send's request is written. `token` names this attempt in the in-flight mark.
   */
  async checkAndBegin(campaign: CampaignName, to: E164, token: string, at?: Date): Promise<GateAnswer | BeginResult> {
    const answer = await this.#asking(() => this.#ask(campaign, { to, now: at ?? new Date(), token }));
    // The in-flight mark of this very attempt: its first answer was lost on the way back (Redis restarted after
    // running the script, and the client sent it again), so no request was made for it yet.
    if (answer.kind === 'in-flight' && answer.token === token) return { kind: 'go' };
    return answer;
  }

  /** Keeps what the report shows of a recipient the gate cancelled (a cancel's sweep keeps the others'). */
  keepCancelled(campaign: CampaignName, to: E164, detail: RecipientDetail): Promise<void> {
    return keepDetailIfNone(this.#client, this.#keys, campaign, to, detail);
  }
}
