import type { CampaignName, CampaignSpec } from '../domain/campaign.js';
import { laneOf } from '../domain/lanes.js';
import { parseMessageTemplates } from '../domain/template.js';
import { HeraldError } from '../lib/herald-error.js';
import { cancelQueued, type ControlAction, transitionCampaign } from '../store/campaign-states.js';
import type { Keys } from '../store/keys.js';
import { readLedgerPages } from '../store/read-ledger.js';
import { encodeDetail } from '../store/recipient-detail.js';
import { type SendQueue, SendQueues } from '../store/send-queues.js';
import type { CampaignStore } from './campaign-store.js';
import { type Clock, LOCAL_CLOCK } from '../redis/redis-clock.js';
import type { RedisClient } from '../redis/redis-connection.js';

export type { ControlAction };

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

/**
 * Pauses, resumes and cancels campaigns for every worker process at once. Two switches, both held in Redis: the
 * campaign's state, which each worker reads atomically just before it begins a send (store/campaign-states.ts,
 * the gate), and BullMQ's pause of each (campaign, sender) queue, which stops workers fetching its jobs at all.
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
   * Cancels the campaign: its state first (from then on no worker begins a send for it), then every recipient
   * still queued is marked cancelled, with the line, channel and sender its job held for the report, and the
   * queues' waiting and delayed jobs are removed. A send that a worker had already begun is left to finish and
   * settles as sent, failed or unknown: the ledger decides, one recipient at a time.
   */
  async cancel(name: CampaignName): Promise<ControlResult> {
    const spec = await this.#spec(name);
    const result = await this.#transition(name, 'cancel');
    if (result.state !== 'cancelled') return result;
    const queues = new SendQueues(this.#client, this.#keys, spec);
    try {
      let marked = await this.#cancelQueued(spec, queues);
      await queues.each((queue) => queue.drain(true));
      // A paused queue is resumed so that any job added after the drain (a producer racing the cancel) is fetched,
      // and the gate marks its recipient cancelled instead of leaving it queued for ever.
      await queues.each((queue) => queue.resume());
      // Recipients a racing producer claimed after the first sweep, whose jobs the drain removed.
      marked += await this.#cancelQueued(spec, queues);
      // With no recipients: closes the campaign if nothing is left queued or in flight.
      const { closed } = await cancelQueued(this.#client, this.#keys, name, []);
      if (closed) await this.#store.deactivateIfFinished(name);
      return { ...result, cancelled: marked };
    } finally {
      await queues.close();
    }
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
    const { outcome, state } = await transitionCampaign(
      this.#client,
      this.#keys,
      name,
      action,
      new Date(this.#clock.now()),
    );
    if (outcome === 'refused')
      throw new ControlRefusedError(`campaign ${name} is ${state}; it cannot be ${PAST[action]}`);
    return { changed: outcome === 'changed', state };
  }

  /**
   * Marks the queued recipients cancelled, one ledger page (one HSCAN reply) per call, each with the detail its job
   * holds (none when the job is gone). Returns how many it marked.
   */
  async #cancelQueued(spec: CampaignSpec, queues: SendQueues): Promise<number> {
    const parsed = parseMessageTemplates(spec.templates);
    const variables = parsed.ok ? [...parsed.templates.variables] : [];
    let marked = 0;
    for await (const page of readLedgerPages(this.#client, this.#keys, spec.name)) {
      const now = new Date();
      const byLane = new Map<string, string[]>();
      for (const entry of page) {
        if (entry.state !== 'queued') continue;
        const lane = laneOf(spec, entry.senderId);
        byLane.set(lane, [...(byLane.get(lane) ?? []), entry.to]);
      }
      const recipients = (
        await Promise.all(
          [...byLane].map(async ([lane, numbers]) => {
            const jobs = await queues.find(lane, numbers, variables);
            return numbers.map((to, index) => {
              const job = jobs[index];
              const record =
                job === undefined
                  ? ''
                  : encodeDetail({
                      line: job.data.line,
                      senderId: job.senderId,
                      channel: job.data.channel,
                      attempts: job.attempts,
                      queuedAt: job.queuedAt,
                      settledAt: now.getTime(),
                      vars: job.data.vars,
                    });
              return { to, record };
            });
          }),
        )
      ).flat();
      if (recipients.length > 0)
        marked += (await cancelQueued(this.#client, this.#keys, spec.name, recipients, now)).marked;
    }
    return marked;
  }

  async #eachQueue<T>(spec: CampaignSpec, action: (queue: SendQueue) => Promise<T>): Promise<T[]> {
    const queues = new SendQueues(this.#client, this.#keys, spec);
    try {
      return await queues.each(action);
    } finally {
      await queues.close();
    }
  }
}

const PAST: Readonly<Record<ControlAction, string>> = { pause: 'paused', resume: 'resumed', cancel: 'cancelled' };
