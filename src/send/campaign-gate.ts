import { DelayedError, type Job, WaitingError } from 'bullmq';

import type { CampaignName } from '../domain/campaign.js';
import type { E164 } from '../domain/e164.js';
import { timeZonesOf } from '../domain/number-time-zones.js';
import { nextOpening, type SendWindow } from '../domain/send-window.js';
import { tickBatchBy } from '../lib/tick-batch.js';
import { type Clock, LOCAL_CLOCK } from '../queue/redis-clock.js';
import type { RedisClient } from '../queue/redis-connection.js';
import { type GateAnswer, type GateAsk, gateAndBegin } from '../store/campaign-states.js';
import type { Keys } from '../store/keys.js';
import type { BeginResult } from '../store/ledger.js';
import { keepDetailIfNone, type RecipientDetail } from '../store/recipient-detail.js';
import type { StoredSendJob } from '../store/send-job.js';

export type { GateAnswer };

/** The worker's side of pause, resume, cancel and scheduled starts: the campaign's state, read just before a send. */
export class CampaignGate {
  readonly #client: RedisClient;
  readonly #keys: Keys;
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
   * before a send. `token` names this attempt in the in-flight mark.
   */
  checkAndBegin(campaign: CampaignName, to: E164, token: string, now = new Date()): Promise<GateAnswer | BeginResult> {
    return this.#ask(campaign, { to, now, token });
  }

  /** Keeps what the report shows of a recipient the gate cancelled (a cancel's sweep keeps the others'). */
  keepCancelled(campaign: CampaignName, to: E164, detail: RecipientDetail): Promise<void> {
    return keepDetailIfNone(this.#client, this.#keys, campaign, to, detail);
  }
}

/**
 * Hands a job that may not be sent yet back to BullMQ without using one of its attempts: a paused campaign's job
 * goes back to wait (its queue is paused, so no worker fetches it until resume), a scheduled one's is delayed until
 * the start time. Otherwise the ledger's begin has run in the same step: returns its answer, or the cancellation
 * (with the recipient's detail, `detailOf`, kept for the report), which the caller settles.
 */
export async function holdAtGate(
  gate: CampaignGate,
  campaign: CampaignName,
  to: E164,
  job: Job<StoredSendJob>,
  token: string | undefined,
  detailOf: () => RecipientDetail,
  clock: Clock = LOCAL_CLOCK,
): Promise<Extract<GateAnswer, { kind: 'cancelled' }> | BeginResult> {
  const answer = await gate.checkAndBegin(campaign, to, `${job.id}/${job.attemptsStarted}`, new Date(clock.now()));
  switch (answer.kind) {
    case 'cancelled':
      await gate.keepCancelled(campaign, to, detailOf());
      return answer;
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
