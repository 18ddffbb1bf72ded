import { Queue } from 'bullmq';

import type { CampaignName, CampaignSpec } from '../domain/campaign.js';
import { senderId } from '../domain/sender.js';
import { HeraldError } from '../lib/herald-error.js';
import type { CampaignStore } from './campaign-store.js';
import { CANCEL_QUEUED, TRANSITION } from './control-scripts.js';
import { type Keys, queueNameOf } from './keys.js';
import { type Clock, LOCAL_CLOCK } from './redis-clock.js';
import type { RedisClient } from './redis-connection.js';

export type ControlAction = 'pause' | 'resume' | 'cancel';

/** What a control command did: the state the campaign is in now, and whether this call moved it there. */
export interface ControlResult {
  changed: boolean;
  state: string;
  /** Recipients this call marked cancelled (cancel only). */
  cancelled?: number;
}

/** The campaign is in a state the action does not apply to (e.g. pausing a finished one). One readable line. */
export class ControlRefusedError extends HeraldError {
  override name = 'ControlRefusedError';
}

/** Recipients per CANCEL_QUEUED call: big enough to be quick, small enough not to hold Redis for long. */
const CANCEL_BATCH = 500;

/**
 * Pauses, resumes and cancels campaigns for every worker process at once. Two switches, both held in Redis: the
 * campaign's state, which each worker reads atomically just before it begins a send (control-scripts.ts
 * GATE_AND_BEGIN), and BullMQ's pause of each (campaign, sender) queue, which stops workers fetching its jobs at all.
 * Pausing a queue does not touch the jobs a worker already holds; the gate sends those back to wait.
 */
export class CampaignControl {
  readonly #client: RedisClient;
  readonly #keys: Keys;
  readonly #store: CampaignStore;
  readonly #clock: Clock;

  /** `clock`: Redis's, so that resuming a scheduled campaign asks whether its start time passed by the shared clock. */
  constructor(client: RedisClient, keys: Keys, store: CampaignStore, clock: Clock = LOCAL_CLOCK) {
    this.#client = client;
    this.#keys = keys;
    this.#store = store;
    this.#clock = clock;
  }

  async pause(name: CampaignName): Promise<ControlResult> {
    const spec = await this.#spec(name);
    // Queues first: a job the gate sends back then lands in a paused queue instead of being fetched again at once.
    await this.#eachQueue(spec, (queue) => queue.pause());
    try {
      return await this.#transition(name, 'pause');
    } catch (error) {
      await this.#eachQueue(spec, (queue) => queue.resume());
      throw error;
    }
  }

  async resume(name: CampaignName): Promise<ControlResult> {
    const spec = await this.#spec(name);
    // State first: were the queues resumed first, workers would fetch jobs that the gate still sends back.
    const result = await this.#transition(name, 'resume');
    if (result.state === 'finished') await this.#store.deactivateIfFinished(name);
    await this.#eachQueue(spec, (queue) => queue.resume());
    return result;
  }

  /**
   * Cancels the campaign: its state first (from then on no worker begins a send for it), then its waiting and
   * delayed jobs are removed and every recipient still queued is marked cancelled. A send that a worker had already
   * begun is left to finish and settles as sent, failed or unknown: the ledger decides, one recipient at a time.
   */
  async cancel(name: CampaignName): Promise<ControlResult> {
    const spec = await this.#spec(name);
    const result = await this.#transition(name, 'cancel');
    if (result.state !== 'cancelled') return result;
    await this.#eachQueue(spec, (queue) => queue.drain(true));
    // A paused queue is resumed so that any job added after the drain (a producer racing the cancel) is fetched,
    // and the gate marks its recipient cancelled instead of leaving it queued for ever.
    await this.#eachQueue(spec, (queue) => queue.resume());
    const { marked, closed } = await this.#cancelQueued(name);
    if (closed) await this.#store.deactivateIfFinished(name);
    return { ...result, cancelled: marked };
  }

  /** Jobs a worker holds right now, across the campaign's queues: sends in flight, or about to be sent back. */
  async activeJobs(name: CampaignName): Promise<number> {
    const spec = await this.#spec(name);
    const counts = await this.#eachQueue(spec, (queue) => queue.getActiveCount());
    return counts.reduce((sum, count) => sum + count, 0);
  }

  async #spec(name: CampaignName): Promise<CampaignSpec> {
    const record = await this.#store.get(name);
    if (record === undefined) throw new ControlRefusedError(`no campaign named ${name}`);
    return record.spec;
  }

  async #transition(name: CampaignName, action: ControlAction): Promise<ControlResult> {
    const now = new Date(this.#clock.now());
    const [outcome, state] = (await TRANSITION.run(this.#client, this.#campaignKeys(name), [
      action,
      now.getTime(),
      now.toISOString(),
    ])) as [string, string];
    if (outcome === 'refused')
      throw new ControlRefusedError(`campaign ${name} is ${state}; it cannot be ${PAST[action]}`);
    return { changed: outcome === 'changed', state };
  }

  async #cancelQueued(name: CampaignName): Promise<{ marked: number; closed: boolean }> {
    let marked = 0;
    let batch: string[] = [];
    const flush = async () => {
      const [count] = (await CANCEL_QUEUED.run(this.#client, this.#campaignKeys(name), [
        new Date().toISOString(),
        ...batch,
      ])) as [number, number];
      marked += count;
      batch = [];
    };
    let cursor = '0';
    do {
      const [next, flat] = await this.#client.hscan(this.#keys.recipients(name), cursor, 'COUNT', 1000);
      cursor = next;
      for (let index = 0; index + 1 < flat.length; index += 2) {
        if (flat[index + 1]!.startsWith('q:')) batch.push(flat[index]!);
      }
      if (batch.length >= CANCEL_BATCH) await flush();
    } while (cursor !== '0');
    await flush();
    const record = await this.#store.get(name);
    return { marked, closed: record?.finishedAt !== undefined };
  }

  #campaignKeys(name: CampaignName): string[] {
    return [this.#keys.recipients(name), this.#keys.counts(name), this.#keys.campaign(name)];
  }

  async #eachQueue<T>(spec: CampaignSpec, action: (queue: Queue) => Promise<T>): Promise<T[]> {
    const queues = spec.senders.map(
      ({ sender }) =>
        new Queue(queueNameOf(spec.name, senderId(sender)), { connection: this.#client, prefix: this.#keys.prefix }),
    );
    try {
      return await Promise.all(queues.map(action));
    } finally {
      await Promise.all(queues.map((queue) => queue.close()));
    }
  }
}

const PAST: Readonly<Record<ControlAction, string>> = { pause: 'paused', resume: 'resumed', cancel: 'cancelled' };
