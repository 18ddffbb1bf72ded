import { readFileSync } from 'node:fs';

import type { PriceTable } from '../estimate/price-table.js';
import { UsageError } from './usage-error.js';

/** The price table of `--prices <file>`, or herald's example table without one; a bad file is one line, exit 2. */
export async function readPriceTable(path: string | undefined): Promise<PriceTable> {
  const { EXAMPLE_PRICES, parsePriceTable } = await import('../estimate/price-table.js');
  if (path === undefined) return EXAMPLE_PRICES;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`cannot read price table ${path}: ${code}`);
  }
  const parsed = parsePriceTable(text);
  if (!parsed.ok) throw new UsageError(`price table ${path}: ${parsed.reason}`);
  return parsed.table;
}
