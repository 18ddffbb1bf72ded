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
import { PARK_AFTER_MS, ParkableQueue } from './parked-queues.js';
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
  /**
   * How long a queue's Worker goes without a job in this process before it is parked, if the queue holds no job
   * (parked-queues.ts). Queues are looked at every `stalledIntervalMs`.
   * @defaultValue PARK_AFTER_MS (60 s)
   */
  parkAfterMs?: number;
}

type SendQueue = ParkableQueue<StoredSendJob, SendResult>;

/** A campaign this process serves: its spec and one queue (a Worker, or parked) per lane, in the order of lanesOf(spec). */
interface Served {
  spec: CampaignSpec;
  queues: SendQueue[];
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
  /** Parks idle queues and gives parked ones holding jobs their Worker back (sweep). */
  #sweepTimer: NodeJS.Timeout | undefined;
  #sweeping = false;
  #following: Promise<void> = Promise.resolve();
  #closed = false;
  #closing: Promise<{ timedOut: boolean }> | undefined;
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
    this.#sweepTimer = setInterval(() => void this.sweep(), this.#options.stalledIntervalMs ?? 30_000);
    this.#sweepTimer.unref();
    await this.follow();
  }

  /** Campaigns this process currently serves. */
  get campaigns(): CampaignName[] {
    return [...this.#running.keys()];
  }

  /** How many queues this process serves, with a Worker (live) and without (parked). */
  get queueCounts(): { live: number; parked: number } {
    const queues = this.#allQueues();
    const parked = queues.filter((queue) => queue.parked).length;
    return { live: queues.length - parked, parked };
  }

  /** The queues this process serves with no Worker now (parked-queues.ts), by BullMQ name. */
  get parkedQueues(): string[] {
    return this.#allQueues()
      .filter((queue) => queue.parked)
      .map((queue) => queue.name);
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
    for (const queue of this.#allQueues()) queue.run();
  }

  /**
   * One look at every queue, as is taken every `stalledIntervalMs`: a queue idle for `parkAfterMs` that holds no job
   * is parked, a parked one that holds jobs gets its Worker back.
   */
  async sweep(): Promise<void> {
    if (this.#sweeping || this.#closed) return;
    this.#sweeping = true;
    try {
      const parkAfterMs = this.#options.parkAfterMs ?? PARK_AFTER_MS;
      const steps = await Promise.allSettled(this.#allQueues().map((queue) => queue.sweep(parkAfterMs)));
      const count = (step: string) => steps.filter((done) => done.status === 'fulfilled' && done.value === step).length;
      const failed = steps.find((done) => done.status === 'rejected');
      if (failed !== undefined) {
        this.#options.logger.warn({ err: describeError(failed.reason) }, 'could not look at the idle queues');
      }
      const parked = count('parked');
      const unparked = count('unparked');
      if (parked + unparked > 0) this.#options.logger.debug({ parked, unparked }, 'parked idle queues');
    } finally {
      this.#sweeping = false;
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
    for (const { queues } of served) for (const queue of queues) queue.concurrency = fitted[next++] ?? 1;
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
    const { connection, keys, deps, logger } = this.#options;
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
    const queues = lanesOf(record.spec).map((lane) => {
      const senders = new Map(sendersOfLane(record.spec, lane).map((entry) => [senderId(entry.sender), entry]));
      const target = { spec: record.spec, templates: parsed.templates, senders, variables };
      const processor = makeSendProcessor(campaignDeps, target);
      const build = () => this.#buildWorker(name, lane, processor);
      return new ParkableQueue({
        campaign: name,
        lane,
        keys,
        connection,
        backend: this.#wakeups,
        build,
        onError: (error) => logger.warn({ campaign: name, lane, err: describeError(error) }, 'parked queue error'),
      });
    });
    this.#running.set(name, { spec: record.spec, queues });
    logger.info({ campaign: name, queues: queues.length }, 'serving campaign');
  }

  #buildWorker(
    name: CampaignName,
    lane: string,
    processor: ReturnType<typeof makeSendProcessor>,
  ): Worker<StoredSendJob, SendResult> {
    const { connection, keys, logger, lockDurationMs, stalledIntervalMs } = this.#options;
    const worker = new Worker<StoredSendJob, SendResult>(
      queueNameOf(name, lane),
      processor,
      {
        connection,
        prefix: keys.prefix,
        // Run once sized: with the process's other queues once every campaign of this turn is in (#sizeAll), or,
        // built again for a parked queue, at the size it was given last.
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
  }

  /**
   * Stops taking new jobs in every queue (jobs in hand go on), or takes them again. While Redis is full it refuses
   * to hand out jobs, and BullMQ, whose ask fails, would ask again at once for as long as it lasts.
   */
  async setTaking(taking: boolean): Promise<void> {
    if (taking === this.#taking) return;
    this.#taking = taking;
    await Promise.all(this.#allQueues().map((queue) => queue.setTaking(taking)));
  }

  async #stopCampaign(name: CampaignName): Promise<void> {
    const queues = this.#running.get(name)?.queues ?? [];
    this.#running.delete(name);
    await Promise.all(queues.map((queue) => queue.close()));
    this.#options.logger.info({ campaign: name }, 'stopped serving campaign');
  }

  /**
   * Stops taking jobs and waits for the ones in flight, at most `timeoutMs`; after that the Workers are closed
   * without waiting, their jobs' locks expire and another process picks them up (the ledger prevents resends).
   * Called again, it answers as the first call does.
   */
  close(timeoutMs: number): Promise<{ timedOut: boolean }> {
    this.#closing ??= this.#close(timeoutMs);
    return this.#closing;
  }

  async #close(timeoutMs: number): Promise<{ timedOut: boolean }> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    if (this.#sweepTimer !== undefined) clearInterval(this.#sweepTimer);
    this.#subscriber?.disconnect();
    // A follow stuck on an unreachable Redis must not hold the shutdown, so it waits inside the deadline too.
    const graceful = this.#following.then(async () => {
      await Promise.all(this.#allQueues().map((queue) => queue.close()));
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const result = await Promise.race([graceful, timeout]);
    clearTimeout(timer);
    const queues = this.#allQueues();
    this.#running.clear();
    if (result === 'timeout') await Promise.all(queues.map((queue) => queue.close(true).catch(() => undefined)));
    await this.#wakeups.close();
    return { timedOut: result === 'timeout' };
  }

  #allQueues(): SendQueue[] {
    return [...this.#running.values()].flatMap((served) => served.queues);
  }
}
