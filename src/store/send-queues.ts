import { Queue } from 'bullmq';

import { forwardErrors } from '../queue/connection-errors.js';
import type { RedisClient } from '../queue/redis-connection.js';

import type { CampaignName } from '../domain/campaign.js';
import { queueNameOf, type Keys } from './keys.js';
import { decodeSendJob, type SendJobData, type StoredSendJob } from './send-job.js';

/** The BullMQ queue of one campaign's sends from one sender, typed with the data its jobs hold in Redis. */
export type SendQueue = Queue<StoredSendJob>;

/**
 * A handle on one (campaign, sender) queue; the caller closes it. The one place herald constructs a Queue: each
 * reports its errors to its connection's sink (connection-errors.ts), never raw to stderr.
 */
export function openSendQueue(
  connection: RedisClient,
  keys: Keys,
  campaign: CampaignName,
  senderId: string,
): SendQueue {
  const queue = new Queue<StoredSendJob>(queueNameOf(campaign, senderId), { connection, prefix: keys.prefix });
  return forwardErrors(queue, connection);
}

/** A job still in its queue (waiting, delayed, or held by a worker), read back with BullMQ's own bookkeeping. */
export interface QueuedJob {
  data: SendJobData;
  /** When the job was added, ms since the epoch. */
  queuedAt: number;
  /** Attempts BullMQ has made for it: calls that failed and were retried (waits for a window or a slot are none). */
  attempts: number;
}

/**
 * The fields of BullMQ's job hash that a queued job is read back from: its data as JSON, when it was added, and
 * the attempts made. Read with one HMGET per job in one pipeline per page, not with `Queue.getJob`, whose Job
 * objects cost the client several times as much: a cancel reads every queued job of its campaign.
 */
const JOB_FIELDS = ['data', 'timestamp', 'atm'] as const;

/** A campaign's send queues, each opened on first use, closed together. */
export class SendQueues {
  readonly #connection: RedisClient;
  readonly #keys: Keys;
  readonly #campaign: CampaignName;
  readonly #queues = new Map<string, SendQueue>();

  constructor(connection: RedisClient, keys: Keys, campaign: CampaignName) {
    this.#connection = connection;
    this.#keys = keys;
    this.#campaign = campaign;
  }

  of(senderId: string): SendQueue {
    let queue = this.#queues.get(senderId);
    if (queue === undefined) {
      queue = openSendQueue(this.#connection, this.#keys, this.#campaign, senderId);
      this.#queues.set(senderId, queue);
    }
    return queue;
  }

  /** Runs `action` on the queue of each sender, at once. */
  each<T>(senderIds: readonly string[], action: (queue: SendQueue) => Promise<T>): Promise<T[]> {
    return Promise.all(senderIds.map((id) => action(this.of(id))));
  }

  /**
   * The recipients' jobs on the sender's queue, in order, decoded with the campaign's template variables (in
   * order); undefined for one that has none (sent and removed, drained by a cancel) or whose data is not a send job.
   */
  async find(
    senderId: string,
    numbers: readonly string[],
    variables: readonly string[],
  ): Promise<(QueuedJob | undefined)[]> {
    if (numbers.length === 0) return [];
    const pipeline = this.#connection.pipeline();
    for (const to of numbers) pipeline.hmget(this.#keys.sendQueueKey(this.#campaign, senderId, to), ...JOB_FIELDS);
    const replies = (await pipeline.exec()) ?? [];
    return numbers.map((to, index) => {
      const [error, fields] = replies[index] ?? [];
      const [data, timestamp, attempts] = (error ? [] : fields) as (string | null)[];
      if (data === null || data === undefined) return undefined;
      try {
        return {
          data: decodeSendJob(JSON.parse(data), to, variables),
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
