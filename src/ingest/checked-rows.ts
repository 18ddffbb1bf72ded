import type { PhoneParse } from '../domain/e164.js';
import { canCrossThreads } from './phone-answers.js';
import type { CsvItem } from './read-csv.js';

/** A slice of the file's items, each row's recipient checked. */
export interface CheckedSlice {
  items: readonly CsvItem[];
  /** `phones[i]` is the check of `items[i]`'s recipient as done on the thread; undefined when it was not sent there. */
  phones: readonly (PhoneParse | undefined)[];
}

export interface PhoneCheck {
  check(phones: readonly string[]): Promise<PhoneParse[]>;
}

/** Rows per slice sent to the phone-check thread: one message each way, a few tens of kilobytes. */
const SLICE_ROWS = 1000;
/**
 * Slices handed to the thread before the oldest is taken back: the thread checks these while the main thread plans
 * and queues the rows of the one before. They bound what the look-ahead holds to a few thousand rows.
 */
const SLICES_AHEAD = 2;

/**
 * The file's items in file order, a slice at a time, each row with its recipient's check, which a thread does
 * slice by slice while the caller works on earlier slices. Values the thread cannot take (a quoted newline) are
 * left to the caller. Slices, not items, so that the caller awaits once per slice: a million-row file would
 * otherwise cost a million promises at each step of the way.
 */
export async function* checkPhonesAhead(
  batches: AsyncIterable<readonly CsvItem[]>,
  toIndex: number,
  checker: PhoneCheck,
  sliceRows = SLICE_ROWS,
): AsyncGenerator<CheckedSlice> {
  const ahead: { items: CsvItem[]; sent: boolean[]; answers: Promise<PhoneParse[]> }[] = [];
  let slice: CsvItem[] = [];
  const handOver = () => {
    const phones: string[] = [];
    const sent: boolean[] = [];
    for (const item of slice) {
      const raw = item.kind === 'row' ? item.fields[toIndex] : undefined;
      const crosses = raw !== undefined && canCrossThreads(raw);
      if (crosses) phones.push(raw);
      sent.push(crosses);
    }
    const answers = phones.length > 0 ? checker.check(phones) : Promise.resolve([]);
    // Awaited in turn below; until then a failed thread must not count as an unhandled rejection.
    answers.catch(() => undefined);
    ahead.push({ items: slice, sent, answers });
    slice = [];
  };
  const takeOldest = async (): Promise<CheckedSlice> => {
    const { items, sent, answers } = ahead.shift()!;
    const checked = await answers;
    let next = 0;
    return { items, phones: sent.map((crossed) => (crossed ? checked[next++] : undefined)) };
  };

  for await (const batch of batches) {
    for (const item of batch) {
      slice.push(item);
      if (slice.length < sliceRows) continue;
      handOver();
      if (ahead.length > SLICES_AHEAD) yield await takeOldest();
    }
  }
  if (slice.length > 0) handOver();
  while (ahead.length > 0) yield await takeOldest();
}
