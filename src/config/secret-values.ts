import { LOG_SETTINGS, REDIS_SETTINGS, type Settings, TWILIO_SETTINGS, WORKER_SETTINGS } from './settings.js';

type Env = Readonly<Record<string, string | undefined>>;

const ALL_SETTINGS: readonly Settings[] = [REDIS_SETTINGS, TWILIO_SETTINGS, WORKER_SETTINGS, LOG_SETTINGS];

/** `scheme://user-info@`: the user-info runs to the last `@` before the host (see redact.ts). */
const USERINFO = /[a-z][a-z0-9+.-]*:\/\/([^\s/?#]*)@/gi;

const ADDRESS = /^([\w.-]+|\[[0-9a-f:]+\]):\d{1,5}$/i;

function isAddressList(value: string): boolean {
  const parts = value.split(/[\s,]+/).filter((part) => part !== '');
  return parts.length > 0 && parts.every((part) => ADDRESS.test(part));
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The passwords in the user-info of every URL in `value`, as written and percent-decoded. */
function urlPasswordsIn(value: string): string[] {
  const out: string[] = [];
  for (const match of value.matchAll(USERINFO)) {
    const userinfo = match[1] ?? '';
    // Without a colon the user-info is a user name alone, which is no secret.
    const colon = userinfo.indexOf(':');
    const password = colon === -1 ? '' : userinfo.slice(colon + 1);
    if (password !== '') out.push(password, decoded(password));
  }
  return out;
}

/**
 * The secret values the environment holds, for redaction: each secret setting's value (an auth token) or, when it
 * holds URLs, the passwords in their user-info (a Redis password, a webhook's basic-auth password), both as written
 * and decoded, so that they are found however a library echoes them. Read without validating, so that even a
 * start-up that fails on a bad variable knows what to hide.
 */
export function secretValuesOf(env: Env): string[] {
  const values = new Set<string>();
  for (const settings of ALL_SETTINGS) {
    for (const setting of Object.values(settings)) {
      const value = env[setting.env];
      if (setting.secret !== true || value === undefined || value === '') continue;
      if (value.includes('://')) for (const password of urlPasswordsIn(value)) values.add(password);
      // Cluster seeds written as plain host:port hold no password: hiding them would only hide where herald connects.
      else if (!isAddressList(value)) values.add(value);
    }
  }
  return [...values];
}
