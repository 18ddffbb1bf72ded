import type { PhoneParse } from '../domain/e164.js';
import { canCrossThreads } from './phone-answers.js';
import type { CsvItem } from './read-csv.js';

export interface CheckedItem {
  item: CsvItem;
  /** The row's recipient as checked on the phone-check thread; undefined when it was not sent there. */
  phone: PhoneParse | undefined;
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
 * The file's items in file order, each row with its recipient's check, which a thread does slice by slice while
 * the caller works on earlier rows. Values the thread cannot take (a quoted newline) are left to the caller.
 */
export async function* checkPhonesAhead(
  items: AsyncIterable<CsvItem>,
  toIndex: number,
  checker: PhoneCheck,
  sliceRows = SLICE_ROWS,
): AsyncGenerator<CheckedItem> {
  const phoneToCheck = (item: CsvItem): string | undefined => {
    const raw = item.kind === 'row' ? item.fields[toIndex] : undefined;
    return raw !== undefined && canCrossThreads(raw) ? raw : undefined;
  };
  const ahead: { items: CsvItem[]; answers: Promise<PhoneParse[]> }[] = [];
  let slice: CsvItem[] = [];
  const handOver = () => {
    const phones = slice.map(phoneToCheck).filter((phone) => phone !== undefined);
    const answers = phones.length > 0 ? checker.check(phones) : Promise.resolve([]);
    // Awaited in turn below; until then a failed thread must not count as an unhandled rejection.
    answers.catch(() => undefined);
    ahead.push({ items: slice, answers });
    slice = [];
  };
  async function* takeOldest(): AsyncGenerator<CheckedItem> {
    const oldest = ahead.shift()!;
    const answers = await oldest.answers;
    let next = 0;
    for (const item of oldest.items) {
      yield { item, phone: phoneToCheck(item) === undefined ? undefined : answers[next++] };
    }
  }

  for await (const item of items) {
    slice.push(item);
    if (slice.length < sliceRows) continue;
    handOver();
    if (ahead.length > SLICES_AHEAD) yield* takeOldest();
  }
  if (slice.length > 0) handOver();
  while (ahead.length > 0) yield* takeOldest();
}
