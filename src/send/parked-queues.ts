import type { Worker } from 'bullmq';

import type { CampaignName } from '../domain/campaign.js';
import type { RedisClient } from '../redis/redis-connection.js';
import { type Keys, queueNameOf } from '../store/keys.js';
import type { Marker, WorkerBackend } from '../store/queue-wakeups.js';

/** How long a queue's Worker goes without a job in this process before it may be parked. */
export const PARK_AFTER_MS = 60_000;

/**
 * How long a parked queue's wait for its marker lasts before it waits again: BullMQ's own ceiling for a blocking wait
 * on Redis, past which a command cut by a reconnect may go unnoticed.
 */
const WATCH_SECONDS = 10;

/** Where BullMQ keeps a queue's unfinished jobs, in every state: a queue with none of these keys holds no job. */
const JOB_PARTS = ['wait', 'active', 'delayed', 'prioritized', 'paused', 'waiting-children'] as const;

export interface ParkableQueueOptions<D, R> {
  campaign: CampaignName;
  lane: string;
  keys: Keys;
  connection: RedisClient;
  backend: WorkerBackend;
  /** Builds the queue's Worker, not running yet (autorun off), and paused when the process is not taking jobs. */
  build(): Worker<D, R>;
  /** A failure of the parked queue's own commands (its look for jobs, putting its marker back). */
  onError(error: unknown): void;
}

/** What a sweep did to a queue. */
export type SweepStep = 'parked' | 'unparked' | 'none';

/**
 * One (campaign, lane) queue of a worker process: a BullMQ Worker while the queue has work, and parked (no Worker,
 * none of its timers, no stalled-job check) once it has had none here for a while and holds no job at all. A parked
 * queue is watched through the process's shared wait (WorkerBackend.waitForJob on its marker) and gets its Worker
 * back when a job's marker comes, or when a sweep finds a job in it: a marker wakes one waiter only (another
 * process's, perhaps), and only a Worker's stalled-job check brings back the jobs of a process that died.
 */
export class ParkableQueue<D, R> {
  readonly #options: ParkableQueueOptions<D, R>;
  /** The queue's Worker; undefined while parked, or being parked. */
  #worker: Worker<D, R> | undefined;
  #state: 'live' | 'parking' | 'parked' | 'closed' = 'live';
  /** The Worker being closed to park the queue. */
  #parking: Promise<void> | undefined;
  /** A job came while the Worker was being closed: it is built again once closed. */
  #unparkWanted = false;
  #concurrency = 1;
  /** When this process's Worker last began or ended a job (or was built), ms since the epoch. */
  #busyAt = Date.now();

  /** Builds the queue's Worker, not running yet: size it (concurrency), then run it. */
  constructor(options: ParkableQueueOptions<D, R>) {
    this.#options = options;
    this.#build();
  }

  /** The BullMQ queue's name. */
  get name(): string {
    return queueNameOf(this.#options.campaign, this.#options.lane);
  }

  get parked(): boolean {
    return this.#state === 'parked' || this.#state === 'parking';
  }

  /** Jobs the queue's Worker holds at most; kept while parked, for the Worker built on the next job. */
  set concurrency(concurrency: number) {
    this.#concurrency = concurrency;
    if (this.#worker !== undefined) this.#worker.concurrency = concurrency;
  }

  /** Runs the Worker, unless it runs already or the queue is parked. */
  run(): void {
    const worker = this.#worker;
    if (worker === undefined || worker.isRunning()) return;
    void worker.run().catch((error: unknown) => worker.emit('error', error as Error));
  }

  /** Pauses the Worker (jobs in hand go on) or resumes it; a parked queue's Worker is built paused or not (build). */
  async setTaking(taking: boolean): Promise<void> {
    await (taking ? this.#worker?.resume() : this.#worker?.pause(true));
  }

  /**
   * Parks the queue if its Worker has had no job for `parkAfterMs` and the queue holds none, or gives a parked queue
   * its Worker back if the queue holds a job.
   */
  async sweep(parkAfterMs: number): Promise<SweepStep> {
    if (this.#state === 'parked') {
      if (!(await this.#holdsJobs())) return 'none';
      return this.#unpark() ? 'unparked' : 'none';
    }
    if (!this.#idleFor(parkAfterMs) || (await this.#holdsJobs()) || !this.#idleFor(parkAfterMs)) return 'none';
    await this.#park();
    return 'parked';
  }

  /** Closes the Worker (waiting for its jobs unless `force`) and ends a parked queue's watch. */
  async close(force = false): Promise<void> {
    const state = this.#state;
    this.#state = 'closed';
    if (state === 'parked') this.#options.backend.interrupt(this.#key('marker'));
    await Promise.all([this.#worker?.close(force), force ? undefined : this.#parking]);
  }

  #idleFor(parkAfterMs: number): boolean {
    return this.#state === 'live' && Date.now() - this.#busyAt >= parkAfterMs;
  }

  #build(): Worker<D, R> {
    const worker = this.#options.build();
    worker.concurrency = this.#concurrency;
    const busy = () => (this.#busyAt = Date.now());
    worker.on('active', busy);
    worker.on('completed', busy);
    worker.on('failed', busy);
    this.#busyAt = Date.now();
    this.#state = 'live';
    this.#worker = worker;
    return worker;
  }

  async #park(): Promise<void> {
    const worker = this.#worker;
    if (worker === undefined) return;
    this.#worker = undefined;
    this.#state = 'parking';
    this.#parking = worker.close().catch(this.#options.onError);
    await this.#parking;
    this.#parking = undefined;
    if (this.#state !== 'parking') return;
    if (this.#unparkWanted) {
      this.#unparkWanted = false;
      this.#build();
      this.run();
      return;
    }
    this.#state = 'parked';
    void this.#watch();
    // A job given to the queue while its Worker closed may have had its marker taken by that Worker: look once more.
    if (await this.#holdsJobs().catch(() => false)) this.#unpark();
  }

  /** Builds and runs the Worker of a parked queue; true if it was parked. */
  #unpark(): boolean {
    if (this.#state === 'parking') this.#unparkWanted = true;
    if (this.#state !== 'parked') return false;
    this.#options.backend.interrupt(this.#key('marker'));
    this.#build();
    this.run();
    return true;
  }

  /** Waits for the queue's marker while it is parked; one that comes is put back and the Worker built. */
  async #watch(): Promise<void> {
    const marker = this.#key('marker');
    while (this.#state === 'parked') {
      let popped: Marker;
      try {
        popped = await this.#options.backend.waitForJob(marker, WATCH_SECONDS);
      } catch {
        return; // interrupted: the queue has its Worker again, or is closing
      }
      if (popped === null) continue;
      // Another process's Worker of this queue may be waiting for that marker, and ours, once built, reads a delayed
      // job's time from its score: it goes back as BullMQ left it.
      await this.#options.connection.zadd(marker, popped.score, popped.member).catch(this.#options.onError);
      this.#unpark();
      return;
    }
  }

  async #holdsJobs(): Promise<boolean> {
    return (await this.#options.connection.exists(...JOB_PARTS.map((part) => this.#key(part)))) > 0;
  }

  #key(part: string): string {
    return this.#options.keys.sendQueueKey(this.#options.campaign, this.#options.lane, part);
  }
}
