import type { RedisMemory } from '../redis/redis-memory.js';

export interface RedisMemoryWatchOptions {
  /** Reads Redis's memory (INFO memory: Redis answers it when full). */
  read: () => Promise<RedisMemory>;
  /** How often to read it. */
  intervalMs: number;
  /** Redis became full: called once per episode, with what it said. */
  onFull: (memory: RedisMemory) => void;
  /** Redis has room again after an episode. */
  onRoom: (memory: RedisMemory) => void;
}

/**
 * Follows whether Redis has room for herald's writes. A full Redis refuses the writes of every send (the in-flight
 * mark, the settle, BullMQ's moves), so a worker is not ready while it lasts; the episode is logged when it begins and
 * when it ends, not at every refused write. A read that fails (Redis away) changes nothing: that is another alarm.
 */
export class RedisMemoryWatch {
  readonly #options: RedisMemoryWatchOptions;
  #last: RedisMemory | undefined;
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;

  constructor(options: RedisMemoryWatchOptions) {
    this.#options = options;
  }

  /** Full at the last read. */
  get full(): boolean {
    return this.#last?.full ?? false;
  }

  /** What the last read found, if any read succeeded. */
  get last(): RedisMemory | undefined {
    return this.#last;
  }

  /** Reads the memory now (one read at a time) and reports a change of episode. */
  check(): Promise<void> {
    this.#checking ??= this.#read().finally(() => (this.#checking = undefined));
    return this.#checking;
  }

  async #read(): Promise<void> {
    let memory: RedisMemory;
    try {
      memory = await this.#options.read();
    } catch {
      return;
    }
    const was = this.full;
    this.#last = memory;
    if (memory.full && !was) this.#options.onFull(memory);
    if (!memory.full && was) this.#options.onRoom(memory);
  }

  start(): void {
    void this.check();
    this.#timer = setInterval(() => void this.check(), this.#options.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
  }
}
