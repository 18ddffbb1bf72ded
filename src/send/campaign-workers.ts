import { Worker } from 'bullmq';
import { duplicateClient, type RedisClient } from '../redis/redis-connection.js';

import type { CampaignName, CampaignSpec } from '../domain/campaign.js';
import { fitConcurrencies, processJobBudget, queueConcurrency } from '../domain/pacing.js';
import { shareRate } from '../domain/rate-group.js';
import { laneOf, lanesOf, sendersOfLane } from '../domain/lanes.js';
import { senderId } from '../domain/sender.js';
import { parseMessageTemplates } from '../domain/template.js';
import type { Logger } from '../observe/logger.js';
import { describeError } from '../observe/logger.js';
import type { CampaignStore } from '../queue/campaign-store.js';
import { isOutOfMemoryError } from '../redis/redis-memory.js';
import { BACKOFF_STRATEGY, SEND_JOB_RETENTION } from '../store/job-options.js';
import { type Keys, queueNameOf } from '../store/keys.js';
import { QueueWakeups, type WorkerBackend } from '../store/queue-wakeups.js';
import type { StoredSendJob } from '../store/send-job.js';
import { computeBackoffMs } from './backoff.js';
import { makeSendProcessor, RetryableSendError } from './pipeline.js';
import type { SendDeps, SendResult } from './send-job.js';

/**
 * How often a job may be picked up again after its worker died (or its lock expired) before BullMQ fails it. BullMQ's
 * default, 1, fails a recipient whose workers were killed twice, leaving it in flight in the ledger for good; here a
 * redelivered job is safe (the ledger stops a second send, and reconciliation settles the first), so only a job
 * that kills every worker that takes it should ever reach this.
 */
const MAX_STALLS = 100;

export interface CampaignWorkersOptions {
  connection: RedisClient;
  keys: Keys;
  store: CampaignStore;
  deps: SendDeps;
  /** Most jobs this process holds per (campaign, lane) queue; each is sized from its lane's rate up to this. */
  maxConcurrency: number;
  /**
   * Sends this process keeps in flight in all (HERALD_MAX_IN_FLIGHT): its queues together hold no more jobs than
   * those can use (processJobBudget), however many queues it serves.
   */
  maxInFlight: number;
  logger: Logger;
  /** How often to re-read the active campaigns and the rate groups in case a control message was missed. */
  followIntervalMs?: number;
  /**
   * BullMQ's job lock and stalled-job check (its defaults: 30 s each): the jobs of a process that died are back
   * in the queue within `lockDurationMs` + 2 × `stalledIntervalMs`.
   */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** The StatusCallback of a campaign's sends (delivery receipts); absent, Twilio is not asked for them. */
  statusCallbackOf?: (campaign: CampaignName) => string;
  /**
   * Called, instead of logging, when BullMQ meets a Redis too full to take its writes (it then asks again at once):
   * the worker process checks Redis's memory, logs the episode once and stops taking jobs (setTaking).
   */
  onOutOfMemory?: () => void;
}

/** A campaign this process serves: its spec and one Worker per lane, in the order of lanesOf(spec). */
interface Served {
  spec: CampaignSpec;
  workers: Worker<StoredSendJob, SendResult>[];
}

/**
 * Runs one BullMQ Worker per (campaign, lane) queue of every active campaign, and follows the set of active
 * campaigns and the rate groups: a producer or CLI command publishes on the control channel, and every worker
 * process starts or stops the matching Workers, and reads the groups again, without a restart.
 */
export class CampaignWorkers {
  readonly #options: CampaignWorkersOptions;
  readonly #running = new Map<CampaignName, Served>();
  #subscriber: RedisClient | undefined;
  /** Where every Worker of this process waits for jobs: one blocking connection (on a Cluster, one per send-queue tag). */
  readonly #wakeups: WorkerBackend;
  #timer: NodeJS.Timeout | undefined;
  #following: Promise<void> = Promise.resolve();
  #closed = false;
  #taking = true;

  constructor(options: CampaignWorkersOptions) {
    this.#options = options;
    this.#wakeups = QueueWakeups.backendFor(options.connection, options.keys);
  }

  async start(): Promise<void> {
    const { connection, keys, logger } = this.#options;
    this.#subscriber = duplicateClient(connection);
    this.#subscriber.on('error', (error: Error) =>
      logger.warn({ err: describeError(error) }, 'control channel connection error'),
    );
    this.#subscriber.on('message', () => this.follow());
    await this.#subscriber.subscribe(keys.control);
    this.#options.deps.events.on('campaign:finished', ({ campaign }) => {
      logger.info({ campaign }, 'campaign finished');
      void this.#options.store.deactivateIfFinished(campaign as CampaignName).catch((error: unknown) => {
        logger.error({ campaign, err: describeError(error) }, 'could not deactivate a finished campaign');
      });
    });
    this.#timer = setInterval(() => this.follow(), this.#options.followIntervalMs ?? 5000);
    this.#timer.unref();
    await this.follow();
  }

  /** Campaigns this process currently serves. */
  get campaigns(): CampaignName[] {
    return [...this.#running.keys()];
  }

  /**
   * Brings the Workers in line with the active campaigns, and the rate groups up to date. Serialised, so overlapping
   * triggers never start two Workers for one queue.
   */
  follow(): Promise<void> {
    this.#following = this.#following
      .then(() => this.#followOnce())
      .catch((error: unknown) => {
        this.#options.logger.error({ err: describeError(error) }, 'could not read the active campaigns');
      });
    return this.#following;
  }

  async #followOnce(): Promise<void> {
    if (this.#closed) return;
    let changed = await this.#options.deps.groups.refresh();
    if (changed) this.#options.logger.info('rate groups changed');
    const { store } = this.#options;
    const active = new Set(await store.activeNames());
    // A campaign is let go when the send that ended it says so; one still active once ended is let go here: that
    // send's process died first, or no replica confirmed its settle (steps/settle.ts).
    for (const name of await store.endedAmong([...active])) {
      if (await store.deactivateIfFinished(name)) active.delete(name);
    }
    const starting = [...active].filter((name) => !this.#running.has(name));
    const stopping = [...this.#running.keys()].filter((name) => !active.has(name));
    for (const name of starting) await this.#startCampaign(name);
    for (const name of stopping) await this.#stopCampaign(name);
    changed ||= starting.length > 0 || stopping.length > 0;
    if (!changed) return;
    this.#sizeAll();
    for (const worker of this.#allWorkers()) {
      if (!worker.isRunning()) void worker.run().catch((error: unknown) => worker.emit('error', error as Error));
    }
  }

  /**
   * Sizes every Worker to the rate its lane can use (Little's law): the sum of its senders' shares of every limit
   * they share with the campaign's other senders, so a pool of many numbers fetches what the pool can send, not what
   * each number could; then scales them down together when they add up to more than this process can send.
   */
  #sizeAll(): void {
    const served = [...this.#running.values()];
    const wanted = served.map(({ spec }) => this.#concurrencies(spec));
    const { deps, maxInFlight } = this.#options;
    const fitted = fitConcurrencies(wanted.flat(), processJobBudget(maxInFlight, deps.pacer.policy));
    let next = 0;
    for (const { workers } of served) for (const worker of workers) worker.concurrency = fitted[next++] ?? 1;
  }

  /** Each lane's concurrency, in the order of lanesOf(spec). */
  #concurrencies(spec: CampaignSpec): number[] {
    const { deps, maxConcurrency } = this.#options;
    const chains = spec.senders.map((entry) => deps.groups.chainOf(entry.sender));
    return lanesOf(spec).map((lane) => {
      const rate = spec.senders.reduce(
        (sum, entry, index) =>
          laneOf(spec, senderId(entry.sender)) === lane ? sum + shareRate(chains[index]!, chains) : sum,
        0,
      );
      return queueConcurrency(rate, deps.pacer.policy, maxConcurrency);
    });
  }

  async #startCampaign(name: CampaignName): Promise<void> {
    const { connection, keys, deps, logger, lockDurationMs, stalledIntervalMs } = this.#options;
    const record = await this.#options.store.get(name);
    if (record === undefined) return;
    const parsed = parseMessageTemplates(record.spec.templates);
    if (!parsed.ok) {
      logger.error({ campaign: name, reason: parsed.reason }, 'campaign templates do not parse; not serving it');
      return;
    }
    const variables = [...parsed.templates.variables];
    const statusCallback = this.#options.statusCallbackOf?.(name);
    const campaignDeps = statusCallback === undefined ? deps : { ...deps, statusCallback };
    const workers = lanesOf(record.spec).map((lane) => {
      const senders = new Map(sendersOfLane(record.spec, lane).map((entry) => [senderId(entry.sender), entry]));
      const target = { spec: record.spec, templates: parsed.templates, senders, variables };
      const processor = makeSendProcessor(campaignDeps, target);
      const worker = new Worker<StoredSendJob, SendResult>(
        queueNameOf(name, lane),
        processor,
        {
          connection,
          prefix: keys.prefix,
          // Sized with the process's other queues once every campaign of this turn is in (#sizeAll), then run.
          autorun: false,
          maxStalledCount: MAX_STALLS,
          ...(lockDurationMs === undefined ? {} : { lockDuration: lockDurationMs }),
          ...(stalledIntervalMs === undefined ? {} : { stalledInterval: stalledIntervalMs }),
          ...SEND_JOB_RETENTION,
          settings: {
            backoffStrategy: (attemptsMade, type, error) =>
              type === BACKOFF_STRATEGY
                ? computeBackoffMs(attemptsMade, error instanceof RetryableSendError ? error.retryAfterMs : undefined)
                : 0,
          },
        },
        this.#wakeups.factory,
      );
      worker.on('error', (error) => {
        if (this.#options.onOutOfMemory !== undefined && isOutOfMemoryError(error)) this.#options.onOutOfMemory();
        else logger.error({ campaign: name, err: describeError(error) }, 'worker error');
      });
      if (!this.#taking) void worker.pause(true);
      return worker;
    });
    this.#running.set(name, { spec: record.spec, workers });
    logger.info({ campaign: name, queues: workers.length }, 'serving campaign');
  }

  /**
   * Stops taking new jobs in every queue (jobs in hand go on), or takes them again. While Redis is full it refuses
   * to hand out jobs, and BullMQ, whose ask fails, would ask again at once for as long as it lasts.
   */
  async setTaking(taking: boolean): Promise<void> {
    if (taking === this.#taking) return;
    this.#taking = taking;
    const workers = [...this.#running.values()].flatMap((served) => served.workers);
    await Promise.all(workers.map((worker) => (taking ? worker.resume() : worker.pause(true))));
  }

  async #stopCampaign(name: CampaignName): Promise<void> {
    const workers = this.#running.get(name)?.workers ?? [];
    this.#running.delete(name);
    await Promise.all(workers.map((worker) => worker.close()));
    this.#options.logger.info({ campaign: name }, 'stopped serving campaign');
  }

  /**
   * Stops taking jobs and waits for the ones in flight, at most `timeoutMs`; after that the Workers are closed
   * without waiting, their jobs' locks expire and another process picks them up (the ledger prevents resends).
   */
  async close(timeoutMs: number): Promise<{ timedOut: boolean }> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#subscriber?.disconnect();
    // A follow stuck on an unreachable Redis must not hold the shutdown, so it waits inside the deadline too.
    const graceful = this.#following.then(async () => {
      await Promise.all(this.#allWorkers().map((worker) => worker.close()));
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const result = await Promise.race([graceful, timeout]);
    clearTimeout(timer);
    const workers = this.#allWorkers();
    this.#running.clear();
    if (result === 'timeout') await Promise.all(workers.map((worker) => worker.close(true).catch(() => undefined)));
    await this.#wakeups.close();
    return { timedOut: result === 'timeout' };
  }

  #allWorkers(): Worker<StoredSendJob, SendResult>[] {
    return [...this.#running.values()].flatMap((served) => served.workers);
  }
}
