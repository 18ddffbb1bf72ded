import { Queue } from 'bullmq';

import { forwardErrors } from '../redis/connection-errors.js';
import type { RedisClient } from '../redis/redis-connection.js';

import type { CampaignName, CampaignSpec } from '../domain/campaign.js';
import { laneOf, lanesOf } from '../domain/lanes.js';
import { queueNameOf, type Keys } from './keys.js';
import { decodeSendJob, type SendJobData, type StoredSendJob } from './send-job.js';

/** The BullMQ queue of one campaign's sends in one lane, typed with the data its jobs hold in Redis. */
export type SendQueue = Queue<StoredSendJob>;

/**
 * A handle on one (campaign, lane) queue; the caller closes it. The one place herald constructs a Queue: each
 * reports its errors to its connection's sink (connection-errors.ts), never raw to stderr.
 */
export function openSendQueue(connection: RedisClient, keys: Keys, campaign: CampaignName, lane: string): SendQueue {
  const queue = new Queue<StoredSendJob>(queueNameOf(campaign, lane), { connection, prefix: keys.prefix });
  return forwardErrors(queue, connection);
}

/** A job still in its queue (waiting, delayed, or held by a worker), read back with BullMQ's own bookkeeping. */
export interface QueuedJob {
  data: SendJobData;
  /** The sender it is to be sent from: the job's name (job-options.ts). */
  senderId: string;
  /** When the job was added, ms since the epoch. */
  queuedAt: number;
  /** Attempts BullMQ has made for it: calls that failed and were retried (waits for a window or a slot are none). */
  attempts: number;
}

/**
 * The fields of BullMQ's job hash that a queued job is read back from: its data as JSON, its name (the sender), when
 * it was added, and the attempts made. Read with one HMGET per job in one pipeline per page, not with
 * `Queue.getJob`, whose Job objects cost the client several times as much: a cancel reads every queued job of its
 * campaign.
 */
const JOB_FIELDS = ['data', 'name', 'timestamp', 'atm'] as const;

/** A campaign's send queues, one per lane, each opened on first use, closed together. */
export class SendQueues {
  readonly #connection: RedisClient;
  readonly #keys: Keys;
  readonly #spec: CampaignSpec;
  readonly #queues = new Map<string, SendQueue>();

  constructor(connection: RedisClient, keys: Keys, spec: CampaignSpec) {
    this.#connection = connection;
    this.#keys = keys;
    this.#spec = spec;
  }

  /** The campaign's lanes, each once. */
  get lanes(): string[] {
    return lanesOf(this.#spec);
  }

  /** The queue of a lane. */
  of(lane: string): SendQueue {
    let queue = this.#queues.get(lane);
    if (queue === undefined) {
      queue = openSendQueue(this.#connection, this.#keys, this.#spec.name, lane);
      this.#queues.set(lane, queue);
    }
    return queue;
  }

  /** The queue the sender's recipients wait in: its lane's. */
  ofSender(senderId: string): SendQueue {
    return this.of(laneOf(this.#spec, senderId));
  }

  /** Runs `action` on the queue of each lane, at once. */
  each<T>(action: (queue: SendQueue) => Promise<T>): Promise<T[]> {
    return Promise.all(this.lanes.map((lane) => action(this.of(lane))));
  }

  /**
   * The recipients' jobs in the lane's queue, in order, decoded with the campaign's template variables (in order);
   * undefined for one that has none (sent and removed, drained by a cancel) or whose data is not a send job.
   */
  async find(
    lane: string,
    numbers: readonly string[],
    variables: readonly string[],
  ): Promise<(QueuedJob | undefined)[]> {
    if (numbers.length === 0) return [];
    const pipeline = this.#connection.pipeline();
    for (const to of numbers) pipeline.hmget(this.#keys.sendQueueKey(this.#spec.name, lane, to), ...JOB_FIELDS);
    const replies = (await pipeline.exec()) ?? [];
    return numbers.map((to, index) => {
      const [error, fields] = replies[index] ?? [];
      const [data, name, timestamp, attempts] = (error ? [] : fields) as (string | null)[];
      if (data === null || data === undefined || name === null || name === undefined) return undefined;
      try {
        return {
          data: decodeSendJob(JSON.parse(data), to, variables),
          senderId: name,
          queuedAt: Number(timestamp),
          attempts: Number(attempts ?? 0),
        };
      } catch {
        return undefined;
      }
    });
  }

  async close(): Promise<void> {
    const queues = [...this.#queues.values()];
    this.#queues.clear();
    await Promise.all(queues.map((queue) => queue.close()));
  }
}
