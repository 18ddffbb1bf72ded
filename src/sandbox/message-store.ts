import { BoundedLog } from './bounded-log.js';
import { type MessageFacts, sentAtOf } from './message-resource.js';

/**
 * List filters as Twilio applies them: exact `To`/`From`, and `date_sent` within [sentFrom, sentBefore) in ms; a
 * message still queued has no `date_sent`, so a date filter leaves it out.
 */
export interface MessageFilter {
  to?: string;
  from?: string;
  sentFrom?: number;
  sentBefore?: number;
}

/**
 * Bound on kept messages, so that a long benchmark cannot exhaust memory: 2,000,000 messages fit in well
 * under 2 GB (facts only; resources are rendered when read). Beyond it the oldest are forgotten, and fetching
 * one answers 404 as for any unknown SID.
 */
export const MAX_STORED_MESSAGES = 2_000_000;

/** Messages created through the sandbox, in memory, oldest first. */
export class MessageStore {
  readonly #bySid = new Map<string, MessageFacts>();
  readonly #log: BoundedLog<MessageFacts>;

  constructor(capacity: number = MAX_STORED_MESSAGES) {
    this.#log = new BoundedLog<MessageFacts>(capacity, (evicted) => {
      for (const facts of evicted) this.#bySid.delete(facts.sid);
    });
  }

  add(facts: MessageFacts): void {
    this.#bySid.set(facts.sid, facts);
    this.#log.push(facts);
  }

  get(sid: string): MessageFacts | undefined {
    return this.#bySid.get(sid);
  }

  /** Matching messages as they stand at `now` (ms), newest first (Twilio's list order). */
  findNewestFirst(filter: MessageFilter, now: number): MessageFacts[] {
    const items = this.#log.items();
    const found: MessageFacts[] = [];
    for (let index = items.length - 1; index >= 0; index -= 1) {
      const facts = items[index];
      if (facts !== undefined && matchesFilter(facts, filter, now)) found.push(facts);
    }
    return found;
  }

  clear(): void {
    this.#bySid.clear();
    this.#log.clear();
  }
}

function matchesFilter(facts: MessageFacts, filter: MessageFilter, now: number): boolean {
  if (filter.to !== undefined && facts.to !== filter.to) return false;
  if (filter.from !== undefined && facts.from !== filter.from) return false;
  if (filter.sentFrom === undefined && filter.sentBefore === undefined) return true;
  const left = sentAtOf(facts, now);
  if (left === undefined) return false;
  // date_sent is shown to the second, so it is compared to the second.
  const sentAt = Math.floor(left / 1000) * 1000;
  if (filter.sentFrom !== undefined && sentAt < filter.sentFrom) return false;
  if (filter.sentBefore !== undefined && sentAt >= filter.sentBefore) return false;
  return true;
}
