import type { Logger } from './logger.js';

type Level = 'info' | 'warn' | 'error';

interface Kind {
  fields: Record<string, unknown>;
  /** Occurrences since the last line written for this kind. */
  more: number;
}

/** Distinct kinds kept per interval; past it, further kinds share one line, so memory stays bounded too. */
const MAX_KINDS = 50;
const OTHER = 'other';

/**
 * Logs something that can happen thousands of times a second (a flood of bad requests, a Redis that refuses every
 * login) at a bounded rate: the first occurrence of each kind at once, then at most one line per kind and interval
 * saying how many more there were. A kind that stays quiet for a whole interval is logged at once again next time.
 */
export class LogSummary {
  readonly #logger: Logger;
  readonly #level: Level;
  readonly #message: string;
  readonly #intervalMs: number;
  #kinds = new Map<string, Kind>();
  #timer: NodeJS.Timeout | undefined;

  constructor(logger: Logger, options: { level: Level; message: string; intervalMs: number }) {
    this.#logger = logger;
    this.#level = options.level;
    this.#message = options.message;
    this.#intervalMs = options.intervalMs;
  }

  /** Counts one occurrence of `kind`; `fields` go on its lines (those of its first occurrence in the interval). */
  note(kind: string, fields: Record<string, unknown> = {}): void {
    const key = this.#kinds.has(kind) || this.#kinds.size < MAX_KINDS ? kind : OTHER;
    const known = this.#kinds.get(key);
    if (known !== undefined) {
      known.more += 1;
      return;
    }
    this.#kinds.set(key, key === OTHER ? { fields: {}, more: 1 } : { fields, more: 0 });
    if (key !== OTHER) this.#logger[this.#level](fields, this.#message);
    this.#timer ??= setInterval(() => this.flush(), this.#intervalMs).unref();
  }

  /** Writes one line for each kind seen again since its last line, and forgets the quiet ones. */
  flush(): void {
    const active = this.#writePending();
    this.#kinds = new Map();
    // Still active: a new occurrence goes into the next interval's summary, not out at once.
    for (const [key, fields] of active) this.#kinds.set(key, { fields, more: 0 });
    if (this.#kinds.size === 0) this.#stopTimer();
  }

  /** Writes what is pending and stops (at shutdown). */
  stop(): void {
    this.#writePending();
    this.#kinds = new Map();
    this.#stopTimer();
  }

  /** Writes the pending counts; returns the kinds that had any, with their fields. */
  #writePending(): Map<string, Record<string, unknown>> {
    const active = new Map<string, Record<string, unknown>>();
    for (const [key, kind] of this.#kinds) {
      if (kind.more === 0) continue;
      this.#logger[this.#level](
        { ...kind.fields, repeated: kind.more, withinMs: this.#intervalMs },
        `${this.#message} (${kind.more} more${key === OTHER ? ' of other kinds' : ''})`,
      );
      active.set(key, kind.fields);
    }
    return active;
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
