/**
 * An append-only list that keeps at most `capacity` items, dropping the oldest. It trims a tenth of its
 * capacity at a time so that a full log costs an amortised O(1) per push rather than a shift per push.
 */
export class BoundedLog<T> {
  readonly capacity: number;
  readonly #onEvict: (evicted: readonly T[]) => void;
  #items: T[] = [];

  constructor(capacity: number, onEvict: (evicted: readonly T[]) => void = () => undefined) {
    this.capacity = capacity;
    this.#onEvict = onEvict;
  }

  push(item: T): void {
    this.#items.push(item);
    if (this.#items.length > this.capacity) this.#trim();
  }

  /** The live items, oldest first. Read them synchronously; copy them to keep them across an await. */
  items(): readonly T[] {
    return this.#items;
  }

  clear(): void {
    this.#items = [];
  }

  #trim(): void {
    const drop = Math.max(this.#items.length - this.capacity, Math.ceil(this.capacity / 10));
    const evicted = this.#items.slice(0, drop);
    this.#items = this.#items.slice(drop);
    this.#onEvict(evicted);
  }
}
