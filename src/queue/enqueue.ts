import type { RedisClient } from '../redis/redis-connection.js';

import type { CampaignSpec } from '../domain/campaign.js';
import { laneOf } from '../domain/lanes.js';
import { sendJobName, sendJobOptions } from '../store/job-options.js';
import type { Keys } from '../store/keys.js';
import type { ClaimResult, Ledger } from '../store/ledger.js';
import { encodeSendJob, type SendJobData } from '../store/send-job.js';
import { SendQueues } from '../store/send-queues.js';
import { CampaignCancelledError } from './campaign-store.js';

export interface PlannedSend {
  job: SendJobData;
  senderId: string;
  /** The row's original values, to report it with if the ledger refuses it (the job keeps only what it needs). */
  fields: readonly string[];
}

export interface EnqueueResult {
  /** The ledger's answer for each planned send, in batch order. */
  claims: ClaimResult[];
  /** Recipients seen for the first time in this campaign. */
  queued: number;
  /** Recipients the campaign already holds: a re-run, or the same number twice in a file. */
  alreadyInCampaign: number;
  /** The same number already queued on another channel's sender: refused, it would be texted twice. */
  taken: PlannedSend[];
}

/**
 * Adds a campaign's jobs, one chunk at a time: the ledger claims each recipient first, so a recipient is queued
 * once per campaign however often the file is run and whatever format the number was written in; then each
 * lane's jobs go to its queue in one addBulk, each named by its sender.
 */
export class CampaignEnqueuer {
  readonly #ledger: Ledger;
  readonly #spec: CampaignSpec;
  readonly #variables: readonly string[];
  readonly #queues: SendQueues;
  readonly #connection: RedisClient;
  readonly #keys: Keys;
  /** When a scheduled campaign starts (ms since the epoch): its jobs wait in BullMQ's delayed set until then. */
  readonly #startAt: number | undefined;

  /** `variables`: the campaign's parsed template variables, in order; jobs store their values in that order. */
  constructor(
    connection: RedisClient,
    keys: Keys,
    ledger: Ledger,
    spec: CampaignSpec,
    variables: Iterable<string>,
    startAt?: number,
  ) {
    this.#ledger = ledger;
    this.#spec = spec;
    this.#variables = [...variables];
    this.#connection = connection;
    this.#keys = keys;
    this.#startAt = startAt;
    this.#queues = new SendQueues(connection, keys, spec);
  }

  async enqueue(batch: readonly PlannedSend[]): Promise<EnqueueResult> {
    // A cancel while the file is being read stops the producer at its next chunk.
    if ((await this.#connection.hget(this.#keys.campaign(this.#spec.name), 'state')) === 'cancelled')
      throw new CampaignCancelledError(`campaign ${this.#spec.name} was cancelled while its file was being queued`);
    const delayMs = this.#startAt === undefined ? 0 : this.#startAt - Date.now();
    const claims = await this.#ledger.claim(
      this.#spec.name,
      batch.map(({ job, senderId: id }) => ({ to: job.to, senderId: id, channel: job.channel })),
    );
    const byLane = new Map<string, PlannedSend[]>();
    const result: EnqueueResult = { claims, queued: 0, alreadyInCampaign: 0, taken: [] };
    batch.forEach((planned, index) => {
      const claim = claims[index];
      if (claim === 'taken') return void result.taken.push(planned);
      if (claim === 'new') result.queued += 1;
      else result.alreadyInCampaign += 1;
      if (claim === 'done') return;
      const lane = laneOf(this.#spec, planned.senderId);
      const sends = byLane.get(lane);
      if (sends === undefined) byLane.set(lane, [planned]);
      else sends.push(planned);
    });
    await Promise.all(
      [...byLane].map(([lane, sends]) =>
        this.#queues.of(lane).addBulk(
          sends.map(({ job, senderId }) => ({
            name: sendJobName(senderId),
            data: encodeSendJob(job, this.#variables),
            opts: sendJobOptions(job.to, delayMs),
          })),
        ),
      ),
    );
    return result;
  }

  close(): Promise<void> {
    return this.#queues.close();
  }
}
