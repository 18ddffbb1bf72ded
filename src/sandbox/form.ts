/** Request parameters as posted: a repeated key (`MediaUrl=a&MediaUrl=b`, as the SDK sends arrays) becomes a list. */
export type FormParams = Record<string, string | string[]>;

/** Parameters the Messages API defines as lists; kept as lists even when posted once, so readers see one shape. */
const LIST_PARAMS: ReadonlySet<string> = new Set(['MediaUrl', 'PersistentAction']);

/** Parses `application/x-www-form-urlencoded` text (`+` is a space, percent escapes are UTF-8). */
export function parseForm(text: string): FormParams {
  const params: FormParams = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const existing = params[key];
    if (existing === undefined) params[key] = LIST_PARAMS.has(key) ? [value] : value;
    else if (Array.isArray(existing)) existing.push(value);
    else params[key] = [existing, value];
  }
  return params;
}

/** A single-valued parameter; empty counts as absent, as Twilio treats `From=` like no From. */
export function readScalar(params: FormParams, key: string): string | undefined {
  const value = params[key];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

export function readList(params: FormParams, key: string): string[] {
  const value = params[key];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function isFormContentType(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}
