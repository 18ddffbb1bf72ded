/** Bound on kept arrival times over all senders: 1,000,000 costs about 16 MB (two unboxed numbers each). */
export const MAX_ARRIVALS = 1_000_000;

/**
 * When each accepted create arrived, per sender, for the pacing benchmark. A ring over two flat number arrays
 * (time, sender index) rather than an object per arrival, so a million arrivals stay small; past the bound the
 * oldest are overwritten.
 */
export class ArrivalLog {
  readonly #capacity: number;
  #times: number[] = [];
  #senderIndexes: number[] = [];
  #senders: string[] = [];
  #indexOf = new Map<string, number>();
  /** Where the next arrival goes once the ring is full (then also the oldest). */
  #next = 0;

  constructor(capacity: number = MAX_ARRIVALS) {
    this.#capacity = capacity;
  }

  record(sender: string, at: number): void {
    let index = this.#indexOf.get(sender);
    if (index === undefined) {
      index = this.#senders.push(sender) - 1;
      this.#indexOf.set(sender, index);
    }
    if (this.#times.length < this.#capacity) {
      this.#times.push(at);
      this.#senderIndexes.push(index);
      return;
    }
    this.#times[this.#next] = at;
    this.#senderIndexes[this.#next] = index;
    this.#next = (this.#next + 1) % this.#capacity;
  }

  /** Arrival times (ms) of each sender still in the log, oldest first. */
  bySender(): Map<string, number[]> {
    const grouped = new Map<string, number[]>();
    const count = this.#times.length;
    for (let offset = 0; offset < count; offset += 1) {
      const slot = (this.#next + offset) % count;
      const sender = this.#senders[this.#senderIndexes[slot] ?? -1];
      const at = this.#times[slot];
      if (sender === undefined || at === undefined) continue;
      const list = grouped.get(sender);
      if (list === undefined) grouped.set(sender, [at]);
      else list.push(at);
    }
    return grouped;
  }

  clear(): void {
    this.#times = [];
    this.#senderIndexes = [];
    this.#senders = [];
    this.#indexOf = new Map();
    this.#next = 0;
  }
}
