import { Worker } from 'bullmq';
import { duplicateClient, type RedisClient } from '../queue/redis-connection.js';

import type { CampaignName } from '../domain/campaign.js';
import { queueConcurrency } from '../domain/pacing.js';
import { senderId, senderMps } from '../domain/sender.js';
import { parseMessageTemplates } from '../domain/template.js';
import type { Logger } from '../observe/logger.js';
import { describeError } from '../observe/logger.js';
import type { CampaignStore } from '../queue/campaign-store.js';
import { isOutOfMemoryError } from '../queue/redis-memory.js';
import { BACKOFF_STRATEGY, SEND_JOB_RETENTION } from '../store/job-options.js';
import { type Keys, queueNameOf } from '../store/keys.js';
import type { StoredSendJob } from '../store/send-job.js';
import { computeBackoffMs } from './backoff.js';
import { makeSendProcessor, RetryableSendError, type SendDeps, type SendResult } from './process-send.js';

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
  /** Most jobs this process holds per (campaign, sender) queue; each is sized from its sender's rate up to this. */
  maxConcurrency: number;
  logger: Logger;
  /** How often to re-read the active campaigns in case a control message was missed. */
  reconcileIntervalMs?: number;
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

/**
 * Runs one BullMQ Worker per (campaign, sender) queue of every active campaign, and follows the set of active
 * campaigns: a producer or CLI command publishes on the control channel, and every worker process starts or
 * stops the matching Workers without a restart.
 */
export class CampaignWorkers {
  readonly #options: CampaignWorkersOptions;
  readonly #running = new Map<CampaignName, Worker<StoredSendJob, SendResult>[]>();
  #subscriber: RedisClient | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reconciling: Promise<void> = Promise.resolve();
  #closed = false;
  #taking = true;

  constructor(options: CampaignWorkersOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    const { connection, keys, logger } = this.#options;
    this.#subscriber = duplicateClient(connection);
    this.#subscriber.on('error', (error: Error) =>
      logger.warn({ err: describeError(error) }, 'control channel connection error'),
    );
    this.#subscriber.on('message', () => this.reconcile());
    await this.#subscriber.subscribe(keys.control);
    this.#options.deps.events.on('campaign:finished', ({ campaign }) => {
      logger.info({ campaign }, 'campaign finished');
      void this.#options.store.deactivateIfFinished(campaign as CampaignName).catch((error: unknown) => {
        logger.error({ campaign, err: describeError(error) }, 'could not deactivate a finished campaign');
      });
    });
    this.#timer = setInterval(() => this.reconcile(), this.#options.reconcileIntervalMs ?? 5000);
    this.#timer.unref();
    await this.reconcile();
  }

  /** Campaigns this process currently serves. */
  get campaigns(): CampaignName[] {
    return [...this.#running.keys()];
  }

  /** Serialised, so overlapping triggers never start two Workers for one queue. */
  reconcile(): Promise<void> {
    this.#reconciling = this.#reconciling
      .then(() => this.#reconcileOnce())
      .catch((error: unknown) => {
        this.#options.logger.error({ err: describeError(error) }, 'could not read the active campaigns');
      });
    return this.#reconciling;
  }

  async #reconcileOnce(): Promise<void> {
    if (this.#closed) return;
    const active = new Set(await this.#options.store.activeNames());
    for (const name of active) if (!this.#running.has(name)) await this.#startCampaign(name);
    for (const name of [...this.#running.keys()]) if (!active.has(name)) await this.#stopCampaign(name);
  }

  async #startCampaign(name: CampaignName): Promise<void> {
    const { connection, keys, maxConcurrency, deps, logger, lockDurationMs, stalledIntervalMs } = this.#options;
    const record = await this.#options.store.get(name);
    if (record === undefined) return;
    const parsed = parseMessageTemplates(record.spec.templates);
    if (!parsed.ok) {
      logger.error({ campaign: name, reason: parsed.reason }, 'campaign templates do not parse; not serving it');
      return;
    }
    const workers = record.spec.senders.map((entry) => {
      const statusCallback = this.#options.statusCallbackOf?.(name);
      const campaignDeps = statusCallback === undefined ? deps : { ...deps, statusCallback };
      const processor = makeSendProcessor(campaignDeps, { spec: record.spec, templates: parsed.templates, entry });
      const worker = new Worker<StoredSendJob, SendResult>(queueNameOf(name, senderId(entry.sender)), processor, {
        connection,
        prefix: keys.prefix,
        concurrency: queueConcurrency(senderMps(entry.sender, entry.mps), deps.pacer.policy, maxConcurrency),
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
      });
      worker.on('error', (error) => {
        if (this.#options.onOutOfMemory !== undefined && isOutOfMemoryError(error)) this.#options.onOutOfMemory();
        else logger.error({ campaign: name, err: describeError(error) }, 'worker error');
      });
      if (!this.#taking) void worker.pause(true);
      return worker;
    });
    this.#running.set(name, workers);
    logger.info({ campaign: name, queues: workers.length }, 'serving campaign');
  }

  /**
   * Stops taking new jobs in every queue (jobs in hand go on), or takes them again. While Redis is full it refuses
   * to hand out jobs, and BullMQ, whose ask fails, would ask again at once for as long as it lasts.
   */
  async setTaking(taking: boolean): Promise<void> {
    if (taking === this.#taking) return;
    this.#taking = taking;
    const workers = [...this.#running.values()].flat();
    await Promise.all(workers.map((worker) => (taking ? worker.resume() : worker.pause(true))));
  }

  async #stopCampaign(name: CampaignName): Promise<void> {
    const workers = this.#running.get(name) ?? [];
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
    // A reconcile stuck on an unreachable Redis must not hold the shutdown, so it waits inside the deadline too.
    const graceful = this.#reconciling.then(async () => {
      await Promise.all([...this.#running.values()].flat().map((worker) => worker.close()));
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const result = await Promise.race([graceful, timeout]);
    clearTimeout(timer);
    const workers = [...this.#running.values()].flat();
    this.#running.clear();
    if (result === 'timeout') await Promise.all(workers.map((worker) => worker.close(true).catch(() => undefined)));
    return { timedOut: result === 'timeout' };
  }
}
