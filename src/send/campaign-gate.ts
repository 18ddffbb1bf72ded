import { DelayedError, type Job, WaitingError } from 'bullmq';

import type { CampaignName } from '../domain/campaign.js';
import type { E164 } from '../domain/e164.js';
import { timeZonesOf } from '../domain/number-time-zones.js';
import { nextOpening, type SendWindow } from '../domain/send-window.js';
import { CAMPAIGN_GATE } from '../queue/control-scripts.js';
import type { Keys } from '../queue/keys.js';
import type { RedisClient } from '../queue/redis-connection.js';
import type { StoredSendJob } from '../queue/stored-send-job.js';

export type GateAnswer =
  | { kind: 'open' }
  | { kind: 'paused' }
  /** `closed`: that was the cancelled campaign's last outstanding recipient. */
  | { kind: 'cancelled'; closed: boolean }
  /** Scheduled and not yet due. */
  | { kind: 'wait'; until: number };

/** The worker's side of pause, resume, cancel and scheduled starts: the campaign's state, read just before a send. */
export class CampaignGate {
  readonly #client: RedisClient;
  readonly #keys: Keys;

  constructor(client: RedisClient, keys: Keys) {
    this.#client = client;
    this.#keys = keys;
  }

  async check(campaign: CampaignName, to: E164, now = new Date()): Promise<GateAnswer> {
    const keys = [this.#keys.recipients(campaign), this.#keys.counts(campaign), this.#keys.campaign(campaign)];
    const answer = String(await CAMPAIGN_GATE.run(this.#client, keys, [to, now.getTime(), now.toISOString()]));
    if (answer === 'open') return { kind: 'open' };
    if (answer === 'paused') return { kind: 'paused' };
    if (answer.startsWith('wait:')) return { kind: 'wait', until: Number(answer.slice('wait:'.length)) };
    return { kind: 'cancelled', closed: answer === 'cancelled-closed' };
  }
}

/**
 * Hands a job that may not be sent yet back to BullMQ without using one of its attempts: a paused campaign's job
 * goes back to wait (its queue is paused, so no worker fetches it until resume), a scheduled one's is delayed until
 * the start time. Returns the answer for an open or cancelled campaign, which the caller settles.
 */
export async function holdAtGate(
  gate: CampaignGate,
  campaign: CampaignName,
  to: E164,
  job: Job<StoredSendJob>,
  token: string | undefined,
): Promise<Extract<GateAnswer, { kind: 'open' | 'cancelled' }>> {
  const answer = await gate.check(campaign, to);
  switch (answer.kind) {
    case 'paused':
      await job.moveToWait(token);
      throw new WaitingError();
    case 'wait':
      await job.moveToDelayed(answer.until, token);
      throw new DelayedError();
    default:
      return answer;
  }
}

/**
 * Delays a job whose recipient is outside the campaign's sending window in their local time until it next opens,
 * without using an attempt and without holding the queue: the sender goes on with the recipients inside theirs.
 */
export async function holdUntilWindow(
  window: SendWindow,
  to: E164,
  job: Job<StoredSendJob>,
  token: string | undefined,
  now = new Date(),
): Promise<void> {
  const opening = nextOpening(window, timeZonesOf(to), now);
  if (opening.getTime() <= now.getTime()) return;
  await job.moveToDelayed(opening.getTime(), token);
  throw new DelayedError();
}
