/**
 * Takes credentials out of text before herald writes it anywhere: the user-info of every URL, and each secret value
 * it was configured with, in every form the value takes on its way into a message (as written in a URL, decoded,
 * or escaped inside a JSON string). Pure.
 */

export const REDACTED = '[redacted]';

/** A scheme's `//`, then user-info up to the last `@` of the authority (a password may hold an unencoded `@`). */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#"'<>]*@/gi;

/** Values shorter than this are not hunted in text: a password of two characters would mangle every line. */
const MIN_SECRET_LENGTH = 4;

/** The URL with `user:password@` removed, for messages and logs; text that is no URL is returned as it is. */
export function stripUserinfo(url: string): string {
  return url.replace(URL_USERINFO, '$1');
}

/** The text with the user-info of every URL in it replaced by `[redacted]`. */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_USERINFO, `$1${REDACTED}@`);
}

/** Each form in which `secret` may appear in a log line or message. */
function formsOf(secret: string): string[] {
  const forms = new Set<string>();
  for (const text of [secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)]) {
    forms.add(text);
    // Inside a JSON string `"` and `\` (and control characters) are escaped.
    forms.add(JSON.stringify(text).slice(1, -1));
  }
  return [...forms];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export type Redactor = (text: string) => string;

/**
 * A function that replaces every known secret (and every URL's user-info) in a text by `[redacted]`. Longer forms
 * are tried first, so that a secret holding another is removed whole.
 */
export function makeRedactor(secrets: Iterable<string>): Redactor {
  const forms = [...new Set([...secrets].filter((secret) => secret.length >= MIN_SECRET_LENGTH).flatMap(formsOf))];
  forms.sort((a, b) => b.length - a.length);
  const known = forms.length === 0 ? undefined : new RegExp(forms.map(escapeRegExp).join('|'), 'g');
  return (text) => {
    const stripped = redactUrlCredentials(text);
    return known === undefined ? stripped : stripped.replace(known, REDACTED);
  };
}
