/**
 * Puts what is learnt about a file's rows back into file order. Most refusals are known as a row is read, but an
 * opt-out or a number already queued on another channel only once the row's chunk has been to Redis, while later rows
 * are read and refused meanwhile. Rows whose fate is still out are covered by open spans (a chunk, from its first row);
 * an item is held until no open span starts before its line, then released with the others in line order. Only the
 * items of a few chunks' rows are ever held. Pure.
 */
export class FileOrder<T> {
  /** Held items, sorted by line (stable for equal lines). */
  readonly #held: { line: number; item: T }[] = [];
  /** The first line of each open span. */
  readonly #open = new Set<number>();

  add(line: number, item: T): void {
    let index = this.#held.length;
    while (index > 0 && this.#held[index - 1]!.line > line) index--;
    this.#held.splice(index, 0, { line, item });
  }

  /** The rows from `firstLine` on are not all judged yet; returns the span's close. */
  open(firstLine: number): () => void {
    this.#open.add(firstLine);
    return () => this.#open.delete(firstLine);
  }

  /** The held items that no open span precedes, in line order. */
  release(): T[] {
    const before = Math.min(...this.#open);
    let count = 0;
    while (count < this.#held.length && this.#held[count]!.line < before) count++;
    return this.#held.splice(0, count).map(({ item }) => item);
  }
}
