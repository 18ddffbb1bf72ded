import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { type BackendFactory, ConnectionClosedError, createRedisBackend, type RedisQueueBackend } from 'bullmq';
import { Cluster } from 'ioredis';

import type { RedisClient } from '../queue/redis-connection.js';
import { type Keys, type SendQueueTag, sendQueueTagOf } from './keys.js';

/** What a BullMQ Worker's wait for a job resolves to: the marker popped (its score, a delayed job's time), or none. */
export type Marker = { member: string; score: number } | null;

/** The backend factory a worker process builds its send-queue Workers with, and how to close what it holds. */
export interface WorkerBackend {
  factory: BackendFactory<RedisQueueBackend>;
  /**
   * Waits, as a Worker of that queue would, for the queue whose marker key is `marker` to be given a job: resolves
   * with the marker popped (the caller owns it now) or null after `timeoutSeconds`. One wait per marker at a time.
   */
  waitForJob(marker: string, timeoutSeconds: number): Promise<Marker>;
  /** Ends the wait on `marker`, if any, rejecting it with BullMQ's ConnectionClosedError. */
  interrupt(marker: string): void;
  close(): Promise<void>;
}

interface Waiter {
  resolve(marker: Marker): void;
  reject(error: Error): void;
  /** When the Worker stops waiting and looks for jobs by itself (its block timeout), ms since the epoch. */
  deadline: number;
  /** The earliest it may be ended with nothing: long waits end together (see EARLY_MS). */
  earliest: number;
}

/**
 * How long past a blocking command's own timeout it may stay unanswered before the connection is reset: a command
 * interrupted by a reconnect is re-sent by ioredis rather than rejected, and would otherwise never return.
 */
const WATCHDOG_MS = 1000;
/** The pause after the blocking connection fails before it is used again. */
const RETRY_MS = 500;
/**
 * A wait of at least LONG_WAIT_MS (an idle queue's poll: BullMQ's drainDelay) may end up to EARLY_MS before its
 * time, with the others due by then, so that idle queues' polls come back together and the command is asked again
 * once for all of them, not once per queue; a Worker woken early only looks for jobs and waits again. Shorter waits
 * (for a delayed job's time) end on time.
 */
const LONG_WAIT_MS = 2000;
const EARLY_MS = 1000;
/** How long the loop lets Workers whose waits just ended (or just began) come back before it asks again. */
const SETTLE_MS = 5;

/**
 * The cluster's masters as they are known now, as startup nodes for another Cluster client: ioredis connects to a
 * startup node it learns is a replica (to send it READONLY), so seeding with replicas would hold a connection to
 * each of them for nothing. Empty (the client's own seeds) before the layout is known.
 */
function mastersOf(client: Cluster): { host: string; port: number }[] {
  return client
    .nodes('master')
    .flatMap(({ options: { host, port } }) => (host === undefined || port === undefined ? [] : [{ host, port }]));
}

/**
 * Every send queue's Workers in this process wait for jobs on one blocking connection. A BullMQ Worker waits with
 * `BZPOPMIN` on its queue's marker, on a connection of its own: one connection per (campaign, lane) queue, which
 * grows with campaigns and senders. Here each Worker's wait registers its marker, and one loop blocks on all of them
 * at once (`BZPOPMIN` takes many keys) and hands each popped marker to its Worker. A wait that begins while the
 * loop is blocked (on other markers, or for longer than the new wait may last) adds a member to this process's own
 * wake key, which is among the keys waited on, so the loop asks again at once.
 *
 * On a Redis Cluster one command can only wait on keys of one hash slot, so there is one loop, and one blocking
 * connection, per send-queue tag (keys.ts: at most five), each with a wake key in its tag's slot.
 */
export class QueueWakeups {
  readonly #client: RedisClient;
  readonly #blocking: RedisClient;
  readonly #wakeKey: string;
  readonly #waiters = new Map<string, Waiter>();
  /** The markers the command now blocked waits on, and when it times out; empty and 0 when none is blocked. */
  #waitingOn = new Set<string>();
  #blockedUntil = 0;
  #looping = false;
  /** A wake is on its way to the command now blocked. */
  #waking = false;
  #closed = false;

  private constructor(client: RedisClient, keys: Keys, wakeKey: string) {
    this.#client = client;
    this.#wakeKey = wakeKey;
    // Named like BullMQ's own blocking connections (`<prefix>:…`), so CLIENT LIST shows whose it is.
    const connectionName = `${keys.prefix}:wakeups`;
    this.#blocking =
      client instanceof Cluster
        ? client.duplicate(mastersOf(client), {
            lazyConnect: true,
            // Its only command goes to its tag's master; a ready check would hold a connection to another node.
            enableReadyCheck: false,
            redisOptions: { ...client.options.redisOptions, connectionName },
          } as Parameters<Cluster['duplicate']>[1])
        : client.duplicate({ connectionName, lazyConnect: true });
    // Its failures show as failed waits, which the loop retries; the shared connection reports Redis being down.
    this.#blocking.on('error', () => undefined);
  }

  /** A BullMQ backend factory whose Workers wait through these wakeups, with a wait for a queue outside a Worker. */
  static backendFor(client: RedisClient, keys: Keys): WorkerBackend {
    const processId = randomUUID();
    const loops = new Map<SendQueueTag | undefined, QueueWakeups>();
    const loopOf = (marker: string): QueueWakeups => {
      const tag = client instanceof Cluster ? sendQueueTagOf(marker) : undefined;
      let loop = loops.get(tag);
      if (loop === undefined) {
        loop = new QueueWakeups(client, keys, keys.wakeups(processId, tag));
        loops.set(tag, loop);
      }
      return loop;
    };
    return {
      // Builds a Worker's backend with no blocking connection of its own: its waits come here.
      factory: (name, opts, options) => {
        const backend = createRedisBackend(name, opts, { ...options, withBlockingConnection: false });
        const marker = backend.keys.marker!;
        const loop = loopOf(marker);
        backend.waitForJob = (timeoutSeconds) => loop.waitForJob(marker, timeoutSeconds);
        backend.disconnectBlocking = async () => loop.interrupt(marker);
        backend.reconnectBlocking = async () => undefined;
        return backend;
      },
      waitForJob: (marker, timeoutSeconds) => loopOf(marker).waitForJob(marker, timeoutSeconds),
      interrupt: (marker) => loopOf(marker).interrupt(marker),
      close: async () => {
        await Promise.all([...loops.values()].map((loop) => loop.close()));
      },
    };
  }

  /** Resolves with the marker popped from `marker` within `timeoutSeconds`, or null when none was. */
  waitForJob(marker: string, timeoutSeconds: number): Promise<Marker> {
    if (this.#closed) return Promise.reject(new ConnectionClosedError());
    this.interrupt(marker);
    return new Promise<Marker>((resolve, reject) => {
      const timeoutMs = timeoutSeconds * 1000;
      const deadline = Date.now() + timeoutMs;
      const earliest = timeoutMs >= LONG_WAIT_MS ? deadline - EARLY_MS : deadline;
      this.#waiters.set(marker, { resolve, reject, deadline, earliest });
      if (!this.#looping) void this.#loop();
      else if (!this.#waitingOn.has(marker) || deadline < this.#blockedUntil) this.#wake();
    });
  }

  /** Ends a Worker's wait as a closed connection would (it is closing or pausing); BullMQ then stops asking. */
  interrupt(marker: string): void {
    const waiter = this.#waiters.get(marker);
    if (waiter === undefined) return;
    this.#waiters.delete(marker);
    waiter.reject(new ConnectionClosedError());
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const marker of [...this.#waiters.keys()]) this.interrupt(marker);
    this.#blocking.disconnect();
    // Not awaited: with Redis away it would wait for its return, and the key expires by itself anyway.
    void this.#client.del(this.#wakeKey).catch(() => undefined);
  }

  /** Makes the blocked command return; once per command, however many waits begin meanwhile. */
  #wake(): void {
    if (this.#waking) return;
    this.#waking = true;
    void this.#client
      .multi()
      .zadd(this.#wakeKey, 0, 'wake')
      .pexpire(this.#wakeKey, 60_000)
      .exec()
      .catch(() => undefined);
  }

  async #loop(): Promise<void> {
    this.#looping = true;
    try {
      while (!this.#closed) {
        const now = Date.now();
        let ended = 0;
        for (const [marker, waiter] of this.#waiters) {
          if (waiter.earliest > now) continue;
          this.#waiters.delete(marker);
          waiter.resolve(null);
          ended += 1;
        }
        if (this.#waiters.size === 0) return;
        // The Workers whose waits just ended look for jobs and wait again within a round trip: the next command
        // should include them rather than be asked again for each.
        if (ended > 0) await sleep(SETTLE_MS);
        const nearest = Math.min(...[...this.#waiters.values()].map((waiter) => waiter.deadline));
        const woken = await this.#blockOnce([...this.#waiters.keys()], Math.max(nearest - Date.now(), 1));
        if (woken) await sleep(SETTLE_MS);
      }
    } finally {
      this.#looping = false;
    }
  }

  /**
   * One BZPOPMIN over `markers` and the wake key, at most `timeoutMs`, handing what it popped to its waiter; true
   * when the wake key ended it (waits began meanwhile).
   */
  async #blockOnce(markers: string[], timeoutMs: number): Promise<boolean> {
    this.#waitingOn = new Set(markers);
    this.#blockedUntil = Date.now() + timeoutMs;
    let watchdog: NodeJS.Timeout | undefined;
    const command = this.#blocking.bzpopmin(...markers, this.#wakeKey, (timeoutMs / 1000).toFixed(3));
    const stuck = new Promise<'stuck'>((resolve) => {
      watchdog = setTimeout(() => resolve('stuck'), timeoutMs + WATCHDOG_MS);
    });
    try {
      const popped = await Promise.race([command, stuck]);
      if (popped === 'stuck') {
        command.catch(() => undefined);
        this.#blocking.disconnect(true);
        return false;
      }
      if (popped === null) return false;
      const [key, member, score] = popped;
      if (key === this.#wakeKey) return true;
      const waiter = this.#waiters.get(key);
      if (waiter === undefined) {
        // Its Worker stopped waiting while the command was out: the marker is put back for whoever waits next.
        await this.#client.zadd(key, score, member);
        return false;
      }
      this.#waiters.delete(key);
      waiter.resolve({ member, score: Number.parseInt(score, 10) });
      return false;
    } catch {
      if (!this.#closed) await sleep(RETRY_MS);
      return false;
    } finally {
      clearTimeout(watchdog);
      this.#waitingOn = new Set();
      this.#blockedUntil = 0;
      this.#waking = false;
    }
  }
}
