/**
 * How a name given by the user (`--to-column`, a template variable, `channel`) finds its column in a header
 * written by a person or exported by a CRM: case, spaces around, and the difference between a space, `_` and
 * `-` inside do not matter, so `phone` finds ` Phone ` and `PHONE`, and `{{first_name}}` finds `First Name`.
 */
export function normaliseColumnName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '_');
}

export type ColumnMatch = { kind: 'found'; index: number } | { kind: 'none' } | { kind: 'ambiguous'; reason: string };

/**
 * The column `name` means. Two columns that read the same (`Phone` and `phone`) refuse the file only when a name
 * herald reads means both; other columns are only carried along and may repeat.
 */
export function matchColumnName(columns: readonly string[], name: string): ColumnMatch {
  const wanted = normaliseColumnName(name);
  const matches: number[] = [];
  columns.forEach((column, index) => {
    if (normaliseColumnName(column) === wanted) matches.push(index);
  });
  if (matches.length === 0) return { kind: 'none' };
  if (matches.length === 1) return { kind: 'found', index: matches[0]! };
  const named = matches.map((index) => `"${columns[index]}"`).join(' and ');
  return { kind: 'ambiguous', reason: `columns ${named} both read as "${name}": rename one of them` };
}
