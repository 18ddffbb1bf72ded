import pLimit from 'p-limit';

import type { CampaignName } from '../domain/campaign.js';
import type { E164 } from '../domain/e164.js';
import { tickBatchBy } from '../lib/tick-batch.js';
import { GATE_AND_BEGIN } from '../queue/control-scripts.js';
import type { Keys } from '../queue/keys.js';
import { type BeginResult, parseBeginAnswer } from '../queue/ledger.js';
import type { RedisClient } from '../queue/redis-connection.js';

/** The gate's answers when it is closed to a send; when it is open, the ledger's begin answers instead. */
export type GateAnswer =
  | { kind: 'paused' }
  /** `closed`: that was the cancelled campaign's last outstanding recipient. */
  | { kind: 'cancelled'; closed: boolean }
  /** Scheduled and not yet due. */
  | { kind: 'wait'; until: number };

/** The worker's side of pause, resume, cancel and scheduled starts: the campaign's state, read just before a send. */
export class CampaignGate {
  readonly #client: RedisClient;
  readonly #keys: Keys;
  /**
   * Sends of this process between their in-flight mark and their request, at most: a worker killed while the gate's
   * answers are on their way (a round trip, seconds on a starved host) leaves at most this many marks without a
   * request, each then recorded unknown. At a round trip of 2 ms it still lets 8,000 sends a second through.
   */
  readonly #asking = pLimit(BEGINS_AT_ONCE);
  /** The sends of one campaign that ask in the same turn go to Redis as one call (see GATE_AND_BEGIN). */
  readonly #ask = tickBatchBy((campaign: CampaignName, asks: readonly (readonly (string | number)[])[]) =>
    this.#askMany(campaign, asks),
  );

  constructor(client: RedisClient, keys: Keys) {
    this.#client = client;
    this.#keys = keys;
  }

  /**
   * The gate and, when it is open, the ledger's begin (ledger.ts) in one round trip: what a worker asks just before
   * a send. `token` names this attempt in the in-flight mark.
   */
  async checkAndBegin(campaign: CampaignName, to: E164, token: string, at?: Date): Promise<GateAnswer | BeginResult> {
    const answer = await this.#asking(() => {
      const now = at ?? new Date();
      return this.#ask(campaign, [to, now.getTime(), now.toISOString(), token]);
    });
    // The in-flight mark of this very attempt: its first answer was lost on the way back (Redis restarted after
    // running the script, and the client sent it again), so no request was made for it yet.
    if (answer.startsWith('i:') && answer.slice(answer.indexOf(':', 2) + 1) === token) return { kind: 'go' };
    return GATE_ANSWERS.test(answer) ? parseGateAnswer(answer) : parseBeginAnswer(answer);
  }

  async #askMany(campaign: CampaignName, asks: readonly (readonly (string | number)[])[]): Promise<string[]> {
    const keys = [this.#keys.recipients(campaign), this.#keys.counts(campaign), this.#keys.campaign(campaign)];
    return ((await GATE_AND_BEGIN.run(this.#client, keys, asks.flat())) as unknown[]).map(String);
  }
}

const BEGINS_AT_ONCE = 16;

/** The closed gate's answers; BEGIN_SEND's never look like these. */
const GATE_ANSWERS = /^(paused|cancelled|cancelled-closed|wait:\d+)$/;

function parseGateAnswer(answer: string): GateAnswer {
  if (answer === 'paused') return { kind: 'paused' };
  if (answer.startsWith('wait:')) return { kind: 'wait', until: Number(answer.slice('wait:'.length)) };
  return { kind: 'cancelled', closed: answer === 'cancelled-closed' };
}
