/**
 * Characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection"), with the full-width forms
 * Apple Numbers also reads so.
 */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
/**
 * A phone number as people write it (`+14155550100`, `+1 (415) 555-0100`, `-5`): digits with `+ - ( ) .` and
 * spaces cannot name a function or another document, so a spreadsheet can at most do arithmetic with it.
 */
const PLAIN_NUMBER = /^[\d\s().+-]*\d[\d\s().+-]*$/;

/**
 * A cell for a CSV file that people open in a spreadsheet: one that would start a formula gets a leading `'`, which
 * spreadsheets read as "this is text", so a value such as `=HYPERLINK(…)` from a recipient file or a Twilio
 * error is shown, never run. Phone numbers are left as they are, so the E.164 column stays usable by scripts.
 */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
}
