/**
 * The SDK's form and query encoding (`qs.stringify(value, { arrayFormat: 'repeat' })`) for the flat parameter objects
 * the SDK builds: RFC 3986 percent-encoding, an array as the key repeated, `undefined` left out, `null` as an empty
 * value, a Date as its ISO string. Returns undefined for what qs would encode with brackets (a nested object), so the
 * caller can hand that request to the SDK's own transport instead of guessing.
 */
export function encodeForm(params: object): string | undefined {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    const values: unknown[] = Array.isArray(value) ? value : [value];
    for (const item of values) {
      const text = scalar(item);
      if (text === SKIP) continue;
      if (text === undefined) return undefined;
      pairs.push(`${encode(key)}=${encode(text)}`);
    }
  }
  return pairs.join('&');
}

const SKIP = Symbol('skip');

function scalar(value: unknown): string | undefined | typeof SKIP {
  if (value === undefined) return SKIP;
  if (value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

/** encodeURIComponent leaves !'()* alone; qs's RFC 3986 format encodes them. */
function encode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
