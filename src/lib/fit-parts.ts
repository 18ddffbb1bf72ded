/**
 * Lays out parts (`queued 100`, `sent 40`, …) in lines no wider than `width`, breaking only between parts, so that a
 * narrow terminal never cuts a number in two. Joined on one line, the parts read `a, b, c` (or with another
 * separator); a line that breaks ends with the separator's mark (`,`). The first line starts with `first`, each later
 * one with `indent`; a part longer than a whole line gets a line of its own rather than being cut. Pure.
 */
export function fitParts(
  parts: readonly string[],
  width: number,
  options: { first?: string; indent?: string; separator?: string } = {},
): string[] {
  const { first = '', indent = '', separator = ', ' } = options;
  const mark = separator.trimEnd();
  const gap = separator.slice(mark.length);
  const pieces = parts.map((part, index) => (index < parts.length - 1 ? `${part}${mark}` : part));
  const lines: string[] = [];
  let line = first;
  let started = false;
  for (const piece of pieces) {
    if (!started) line = `${line}${piece}`;
    else if (`${line}${gap}${piece}`.length <= width) line = `${line}${gap}${piece}`;
    else {
      lines.push(line);
      line = `${indent}${piece}`;
    }
    started = true;
  }
  lines.push(line);
  return lines;
}
