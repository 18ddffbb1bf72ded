import { afterEach, describe, expect, it } from '@jest/globals';

import { type PhoneParse, parsePhone } from '../../../src/domain/e164.js';
import { type CheckedSlice, checkPhonesAhead } from '../../../src/ingest/checked-rows.js';
import { PhoneChecker } from '../../../src/ingest/phone-checker.js';
import type { CsvItem } from '../../../src/ingest/read-csv.js';

const row = (line: number, ...fields: string[]): CsvItem => ({ kind: 'row', line, fields });

/**
 * The items in order, in runs of `run` as the CSV reader hands them over, counting how many the consumer had pulled
 * from the file when each run came out.
 */
async function* counted(
  items: readonly CsvItem[],
  pulled: { count: number },
  run = 4,
): AsyncGenerator<readonly CsvItem[]> {
  for (let start = 0; start < items.length; start += run) {
    const batch = items.slice(start, start + run);
    pulled.count += batch.length;
    yield batch;
  }
}

/** Each slice's items with their checks, flattened back into file order. */
function flatten(slices: readonly CheckedSlice[]): { item: CsvItem; phone: PhoneParse | undefined }[] {
  return slices.flatMap((slice) => {
    expect(slice.phones).toHaveLength(slice.items.length);
    return slice.items.map((item, index) => ({ item, phone: slice.phones[index] }));
  });
}

describe('checkPhonesAhead (on the real phone-check thread)', () => {
  let checker: PhoneChecker | undefined;
  afterEach(async () => {
    await checker?.close();
    checker = undefined;
  });

  it('gives every item back in file order with its own number checked, across slices', async () => {
    const items: CsvItem[] = [];
    for (let index = 0; index < 23; index++) {
      const line = 2 + index * 2;
      if (index === 4) items.push({ kind: 'unreadable', line, reason: 'unterminated quoted field' });
      else if (index === 7) items.push(row(line, '555-0199', 'Bad mid-slice'));
      else if (index === 9) items.push(row(line, '+1 415\n555 0100', 'Quoted newline'));
      else if (index === 12) items.push(row(line));
      else if (index === 15) items.push(row(line, '', 'Empty'));
      else items.push(row(line, `(415) 555-${String(1000 + index)}`, `Name${index}`));
    }
    checker = new PhoneChecker('US');
    const pulled = { count: 0 };
    const slices: CheckedSlice[] = [];
    let given = 0;
    for await (const slice of checkPhonesAhead(counted(items, pulled), 0, checker, 3)) {
      // Slices of three, given back whole; two ahead of the one given back, plus the rest of the run of four
      // the reader handed over last: the look-ahead stays bounded.
      expect(slice.items.length).toBeLessThanOrEqual(3);
      given += slice.items.length;
      expect(pulled.count - given).toBeLessThanOrEqual(6 + 3);
      slices.push(slice);
    }
    const out = flatten(slices);

    expect(out.map(({ item }) => item)).toEqual(items);
    for (const { item, phone } of out) {
      const raw = item.kind === 'row' ? item.fields[0] : undefined;
      if (raw === undefined || raw.includes('\n')) expect(phone).toBeUndefined();
      else expect(phone).toEqual(parsePhone(raw, 'US'));
    }
    expect(out[7]?.phone).toMatchObject({ ok: false, reason: 'invalid number: 555-0199' });
    expect(out[8]?.phone).toEqual({ ok: true, e164: '+14155551008', country: 'US' });
  });

  it('fails every slice still waiting when the thread is gone', async () => {
    checker = new PhoneChecker(undefined);
    const items = Array.from({ length: 10 }, (_, index) => row(index + 2, `+1415555${String(1000 + index)}`));
    await checker.close();
    const consume = async () => {
      for await (const checked of checkPhonesAhead(counted(items, { count: 0 }), 0, checker!, 3)) void checked;
    };
    await expect(consume()).rejects.toThrow(/phone check/);
  });
});
