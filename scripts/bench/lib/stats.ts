/** min / median / max of repeated runs: the spread is reported, not hidden, because the machines are noisy. */
export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('no runs to summarise');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { min: sorted[0]!, median, max: sorted[sorted.length - 1]! };
}

export function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export function roundSpread(spread: Spread, digits = 3): Spread {
  return { min: round(spread.min, digits), median: round(spread.median, digits), max: round(spread.max, digits) };
}

/** `min / **median** / max`, with thousands separators. */
export function formatSpread(spread: Spread, digits = 0): string {
  const format = (value: number) =>
    value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${format(spread.min)} / **${format(spread.median)}** / ${format(spread.max)}`;
}

export interface TableRow {
  measure: string;
  herald: Spread;
  baseline: Spread;
  /** herald ÷ baseline per run (runs are paired: run i of each). */
  ratio: Spread;
  target: string;
  digits?: number;
}

/** A Markdown table that reads the same on a terminal: herald, baseline, ratio as min / median / max. */
export function renderTable(rows: readonly TableRow[]): string {
  return [
    '| measure | herald (min / median / max) | baseline | ratio herald ÷ baseline | target |',
    '|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.measure} | ${formatSpread(row.herald, row.digits)} | ${formatSpread(row.baseline, row.digits)} | ${formatSpread(row.ratio, 2)} | ${row.target} |`,
    ),
  ].join('\n');
}

/** Ratios of paired runs: herald run i against baseline run i, both on the same Redis moments apart. */
export function pairedRatios(herald: readonly number[], baseline: readonly number[]): number[] {
  return herald.map((value, index) => value / baseline[index]!);
}

/**
 * One line of `npm run bench`'s combined table. Every benchmark's JSON line carries its lines as `rows`; a measure
 * with no baseline (throttle accuracy is against the sender's limit) has none, nor a ratio.
 */
export interface SummaryRow {
  bench: string;
  measure: string;
  herald: Spread;
  baseline?: Spread;
  ratio?: Spread;
  target: string;
  pass: boolean;
  digits?: number;
}

/** The combined table of `npm run bench`: every benchmark's rows, with whether each met its target. */
export function renderSummaryTable(rows: readonly SummaryRow[]): string {
  const spread = (value: Spread | undefined, digits?: number) =>
    value === undefined ? '–' : formatSpread(value, digits);
  return [
    '| benchmark | measure | herald (min / median / max) | baseline | ratio herald ÷ baseline | target | met |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.bench} | ${row.measure} | ${spread(row.herald, row.digits)} | ${spread(row.baseline, row.digits)} | ${spread(row.ratio, 2)} | ${row.target} | ${row.pass ? 'yes' : '**no**'} |`,
    ),
  ].join('\n');
}
