import { isKnownEncoding } from './file-encoding.js';

/** How to read a recipient file, as `--encoding` and `--delimiter` give it; unset parts are found from the file. */
export interface CsvFormat {
  /** An encoding iconv-lite knows (`windows-1252`, `latin1`, `utf-16le`…); UTF-8 when unset and no BOM says else. */
  encoding?: string;
  /** One character; found from the header row when unset. */
  delimiter?: string;
}

/** What the header row is searched for, in order of preference when two appear as often. */
const DELIMITERS = [',', ';', '\t'] as const;

/**
 * Checks `--encoding` and `--delimiter` as typed (`tab` or `\t` for a tab), before anything is read.
 */
export function parseCsvFormat(options: {
  encoding?: string | undefined;
  delimiter?: string | undefined;
}): { ok: true; format: CsvFormat } | { ok: false; reason: string } {
  const format: CsvFormat = {};
  if (options.encoding !== undefined) {
    if (!isKnownEncoding(options.encoding)) {
      return {
        ok: false,
        reason: `--encoding ${options.encoding} is not an encoding herald knows (e.g. windows-1252, latin1, utf-16le)`,
      };
    }
    format.encoding = options.encoding;
  }
  if (options.delimiter !== undefined) {
    const given = options.delimiter;
    const delimiter = given.toLowerCase() === 'tab' || given === '\\t' ? '\t' : given;
    if ([...delimiter].length !== 1 || /["\r\n]/.test(delimiter)) {
      return { ok: false, reason: '--delimiter must be one character such as ; or |, or tab' };
    }
    format.delimiter = delimiter;
  }
  return { ok: true, format };
}

/**
 * The delimiter of a file whose first text is `head`: whichever of comma, semicolon and tab its header row holds
 * most often outside quotes (European Excel writes `;`, many exports tab). A header with none of them is one
 * column, read as comma-separated.
 */
export function detectDelimiter(head: string): string {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const char of head) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && (DELIMITERS as readonly string[]).includes(char)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best: string = DELIMITERS[0];
  for (const delimiter of DELIMITERS) if ((counts.get(delimiter) ?? 0) > (counts.get(best) ?? 0)) best = delimiter;
  return best;
}
