import { DelayedError, type Job, WaitingError } from 'bullmq';

import type { CampaignName } from '../domain/campaign.js';
import type { E164 } from '../domain/e164.js';
import { timeZonesOf } from '../domain/number-time-zones.js';
import { nextOpening, type SendWindow } from '../domain/send-window.js';
import { tickBatchBy } from '../lib/tick-batch.js';
import { GATE_AND_BEGIN } from '../queue/control-scripts.js';
import type { Keys } from '../queue/keys.js';
import { type BeginResult, parseBeginAnswer } from '../queue/ledger.js';
import { type Clock, LOCAL_CLOCK } from '../queue/redis-clock.js';
import type { RedisClient } from '../queue/redis-connection.js';
import type { StoredSendJob } from '../queue/stored-send-job.js';

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
  async checkAndBegin(
    campaign: CampaignName,
    to: E164,
    token: string,
    now = new Date(),
  ): Promise<GateAnswer | BeginResult> {
    const answer = await this.#ask(campaign, [to, now.getTime(), now.toISOString(), token]);
    return GATE_ANSWERS.test(answer) ? parseGateAnswer(answer) : parseBeginAnswer(answer);
  }

  async #askMany(campaign: CampaignName, asks: readonly (readonly (string | number)[])[]): Promise<string[]> {
    const keys = [this.#keys.recipients(campaign), this.#keys.counts(campaign), this.#keys.campaign(campaign)];
    return ((await GATE_AND_BEGIN.run(this.#client, keys, asks.flat())) as unknown[]).map(String);
  }
}

/** The closed gate's answers; BEGIN_SEND's never look like these. */
const GATE_ANSWERS = /^(paused|cancelled|cancelled-closed|wait:\d+)$/;

function parseGateAnswer(answer: string): GateAnswer {
  if (answer === 'paused') return { kind: 'paused' };
  if (answer.startsWith('wait:')) return { kind: 'wait', until: Number(answer.slice('wait:'.length)) };
  return { kind: 'cancelled', closed: answer === 'cancelled-closed' };
}

/**
 * Hands a job that may not be sent yet back to BullMQ without using one of its attempts: a paused campaign's job
 * goes back to wait (its queue is paused, so no worker fetches it until resume), a scheduled one's is delayed until
 * the start time. Otherwise the ledger's begin has run in the same step: returns its answer, or the cancellation,
 * which the caller settles.
 */
export async function holdAtGate(
  gate: CampaignGate,
  campaign: CampaignName,
  to: E164,
  job: Job<StoredSendJob>,
  token: string | undefined,
  clock: Clock = LOCAL_CLOCK,
): Promise<Extract<GateAnswer, { kind: 'cancelled' }> | BeginResult> {
  const answer = await gate.checkAndBegin(campaign, to, `${job.id}/${job.attemptsStarted}`, new Date(clock.now()));
  switch (answer.kind) {
    case 'paused':
      await job.moveToWait(token);
      throw new WaitingError();
    case 'wait':
      await job.moveToDelayed(clock.toLocal(answer.until), token);
      throw new DelayedError();
    default:
      return answer;
  }
}

/**
 * Delays a job whose recipient is outside the campaign's sending window in their local time until it next opens,
 * without using an attempt and without holding the queue: the sender goes on with the recipients inside theirs.
 * The hour is read from `clock` (Redis's, in a worker), so a worker whose own clock is wrong still sends only inside
 * the window.
 */
export async function holdUntilWindow(
  window: SendWindow,
  to: E164,
  job: Job<StoredSendJob>,
  token: string | undefined,
  clock: Clock = LOCAL_CLOCK,
): Promise<void> {
  const now = clock.now();
  const opening = nextOpening(window, timeZonesOf(to), new Date(now)).getTime();
  if (opening <= now) return;
  await job.moveToDelayed(clock.toLocal(opening), token);
  throw new DelayedError();
}
