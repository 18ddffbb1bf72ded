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

/** Where BullMQ keeps the jobs a Worker takes as soon as the queue is not paused. */
const WAITING_PARTS = ['wait', 'paused', 'prioritized'] as const;
/** Jobs a Worker holds (or a flow's parent waits on): a queue with any is never parked. */
const HELD_PARTS = ['active', 'waiting-children'] as const;
/** BullMQ scores a delayed job by its time in ms × 0x1000 (plus a counter), and so must be read. */
const DELAYED_SCORE_UNIT = 0x1000;

/** What a queue holds, as far as parking goes. */
interface Work {
  /** A job a Worker would take now: held, waiting in a queue not paused, or delayed to a time that has come. */
  now: boolean;
  /** When its first delayed job is due, ms since the epoch; undefined with none. */
  dueAt: number | undefined;
}

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
 * none of its timers, no stalled-job check) once it has had none here for a while and holds none a Worker could take
 * now: no job held, none waiting (unless the queue is paused), delayed jobs only for later (a retry's backoff, a
 * sending window, a scheduled start). A parked queue is watched through the process's shared wait
 * (WorkerBackend.waitForJob on its marker) and gets its Worker back when a job's marker comes, when its first delayed
 * job falls due, or when a sweep finds work in it: a marker wakes one waiter only (another process's, perhaps), and
 * only a Worker's stalled-job check brings back the jobs of a process that died.
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
  /** Gives a parked queue its Worker back when its first delayed job falls due; at most one, the earliest. */
  #dueTimer: NodeJS.Timeout | undefined;
  #dueAt = Number.POSITIVE_INFINITY;
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
   * Parks the queue if its Worker has had no job for `parkAfterMs` and the queue holds none a Worker could take now,
   * or gives a parked queue its Worker back if it has work now (else sets its timer for its first delayed job).
   */
  async sweep(parkAfterMs: number): Promise<SweepStep> {
    if (this.#state === 'parked') {
      const work = await this.#work();
      if (!work.now) {
        this.#wakeAt(work.dueAt);
        return 'none';
      }
      return this.#unpark() ? 'unparked' : 'none';
    }
    if (!this.#idleFor(parkAfterMs) || (await this.#work()).now || !this.#idleFor(parkAfterMs)) return 'none';
    await this.#park();
    return 'parked';
  }

  /** Closes the Worker (waiting for its jobs unless `force`) and ends a parked queue's watch. */
  async close(force = false): Promise<void> {
    const state = this.#state;
    this.#state = 'closed';
    if (state === 'parked') this.#options.backend.interrupt(this.#key('marker'));
    this.#wakeAt(undefined);
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
    // A job given to the queue while its Worker closed may have had its marker taken by that Worker, and so may the
    // time of its first delayed job: look once more.
    const work = await this.#work().catch(() => ({ now: false, dueAt: Date.now() }));
    if (work.now) this.#unpark();
    else this.#wakeAt(work.dueAt);
  }

  /**
   * Unparks the queue at `dueAt` (a delayed job's time), unless it is woken sooner; undefined: clears the timer. The
   * earliest time asked wins until the queue is unparked.
   */
  #wakeAt(dueAt: number | undefined): void {
    if (dueAt === undefined || this.#state !== 'parked') {
      clearTimeout(this.#dueTimer);
      this.#dueTimer = undefined;
      this.#dueAt = Number.POSITIVE_INFINITY;
      return;
    }
    if (dueAt >= this.#dueAt) return;
    clearTimeout(this.#dueTimer);
    this.#dueAt = dueAt;
    this.#dueTimer = setTimeout(() => this.#unpark(), Math.max(0, dueAt - Date.now()));
    this.#dueTimer.unref();
  }

  /** Builds and runs the Worker of a parked queue; true if it was parked. */
  #unpark(): boolean {
    if (this.#state === 'parking') this.#unparkWanted = true;
    if (this.#state !== 'parked') return false;
    this.#options.backend.interrupt(this.#key('marker'));
    this.#wakeAt(undefined);
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
      // A delayed job's marker, scored with its time: the queue stays parked until then (kept, the marker would be
      // popped again at once).
      if (popped.score > Date.now()) {
        this.#wakeAt(popped.score);
        continue;
      }
      // Another process's Worker of this queue may be waiting for that marker: it goes back as BullMQ left it.
      await this.#options.connection.zadd(marker, popped.score, popped.member).catch(this.#options.onError);
      this.#unpark();
      return;
    }
  }

  /** Every key in the queue's slot: one EXISTS for an empty queue (most parked ones), one more round trip if not. */
  async #work(): Promise<Work> {
    const parts = [...HELD_PARTS, ...WAITING_PARTS, 'delayed'];
    if ((await this.#options.connection.exists(...parts.map((part) => this.#key(part)))) === 0) {
      return { now: false, dueAt: undefined };
    }
    const results = await this.#options.connection
      .pipeline()
      .exists(...HELD_PARTS.map((part) => this.#key(part)))
      .exists(...WAITING_PARTS.map((part) => this.#key(part)))
      .hexists(this.#key('meta'), 'paused')
      .zrange(this.#key('delayed'), '0', '0', 'WITHSCORES')
      .exec();
    const [held, waiting, paused, first] = (results ?? []).map(([error, value]) => {
      if (error !== null) throw error;
      return value;
    }) as [number, number, number, string[]];
    const dueAt = first[1] === undefined ? undefined : Number(first[1]) / DELAYED_SCORE_UNIT;
    const now = held > 0 || (paused === 0 && waiting > 0) || (dueAt !== undefined && dueAt <= Date.now());
    return { now, dueAt };
  }

  #key(part: string): string {
    return this.#options.keys.sendQueueKey(this.#options.campaign, this.#options.lane, part);
  }
}
