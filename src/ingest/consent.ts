/** Cells that say a recipient did not consent; any other non-empty cell (yes, a date, a source) is consent. */
const NEGATIVE = new Set(['no', 'false', '0', 'n']);

/**
 * Why a row's consent cell does not allow texting, or undefined when it does. Absent and empty cells refuse too:
 * with `--consent-column` the operator has said that consent is recorded in the file, so a row without it has
 * none. Case and surrounding spaces do not matter. Pure.
 */
export function refuseWithoutConsent(cell: string | undefined, column: string): string | undefined {
  const value = (cell ?? '').trim();
  if (value === '') return `no consent: ${column} is empty`;
  if (NEGATIVE.has(value.toLowerCase())) return `no consent: ${column} is "${value}"`;
  return undefined;
}
