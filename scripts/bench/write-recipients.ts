import { writeRecipientsCsv } from './lib/recipients-csv.js';

/**
 * Writes the benchmarks' recipient file for a measurement by hand:
 *   node dist/scripts/bench/write-recipients.js <file.csv> <rows> [<one bad row in n, 0 for none>]
 * e.g. the dry run's memory in docs/benchmarks.md.
 */
const [file, rows, badEvery = '0'] = process.argv.slice(2);
if (file === undefined || rows === undefined || !/^\d+$/.test(rows) || !/^\d+$/.test(badEvery)) {
  console.error('usage: node dist/scripts/bench/write-recipients.js <file.csv> <rows> [<one bad row in n>]');
  process.exit(2);
}
const written = await writeRecipientsCsv(file, Number(rows), Number(badEvery));
console.log(`${written.rows} rows (${written.bad} bad) → ${file}`);
