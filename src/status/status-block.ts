import { fitParts } from '../lib/fit-parts.js';
import { formatPace, describeState, listTotals, type StatusView } from './format-status.js';
import { formatNotePrefix, statusNotes } from './status-notes.js';

/** Where a note's text starts: after two spaces and its nine-character label. */
const NOTE_INDENT = ' '.repeat(12);
const TOTALS_INDENT = '  ';

/**
 * `herald status` as lines no wider than `width` (a terminal's): the headline, the totals, the pace and the notes,
 * each wrapped between words or totals so that nothing is cut in the middle of a number. `bar`, when given, is a
 * progress bar line drawn under the headline. Without a width (a pipe, a log), the headline stays one line. Pure.
 */
export function formatStatusBlock(
  view: StatusView,
  zone: string,
  options: { width?: number; bar?: (width: number) => string } = {},
): string[] {
  const width = options.width ?? Number.POSITIVE_INFINITY;
  const words = (text: string, first: string, indent: string) =>
    fitParts(text.split(' '), width, { separator: ' ', first, indent });
  const head =
    options.width === undefined
      ? [`${view.campaign}: ${describeState(view)} — ${listTotals(view).join(', ')} | ${formatPace(view)}`]
      : [
          ...words(`${view.campaign}: ${describeState(view)}`, '', TOTALS_INDENT),
          ...(options.bar === undefined ? [] : [options.bar(width)]),
          ...fitParts(listTotals(view), width, { first: TOTALS_INDENT, indent: TOTALS_INDENT }),
          ...words(formatPace(view), TOTALS_INDENT, TOTALS_INDENT),
        ];
  const notes = statusNotes(view, zone).flatMap(([label, text]) => words(text, formatNotePrefix(label), NOTE_INDENT));
  return [...head, ...notes];
}
