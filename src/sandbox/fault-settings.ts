import { DAILY_CAP, type NumberRule, RETRY_AFTER_SECONDS, satisfies, SEED, SHARE } from './number-rules.js';

/** Failures the sandbox can inject into create requests, for retry and chaos tests. All off by default. */
export interface FaultSettings {
  /** Share (0–1) of creates answered 429 with code 20429, not processed (nothing stored). @defaultValue 0 */
  rate429?: number;
  /** Share answered 500 (code 20500), not processed. @defaultValue 0 */
  rate500?: number;
  /** Share answered 503 (code 20503), not processed. @defaultValue 0 */
  rate503?: number;
  /** Seconds sent as `Retry-After` on injected 20429 answers; absent: no header, as Twilio's Messages API. */
  retryAfterSeconds?: number;
  /**
   * Share of accepted creates (stored, counted, logged with their SID) whose connection is then destroyed
   * without an answer: the client cannot tell whether the message exists. @defaultValue 0
   */
  acceptThenDrop?: number;
  /**
   * Share (0–1) of list requests (`GET …/Messages.json`) answered 503 (code 20503), for reconciliation that cannot
   * read the list. @defaultValue 0
   */
  listErrors?: number;
  /** Accepted messages per sender (From or MessagingServiceSid) per UTC day; past it, 429 with 63038. */
  dailyCap?: number;
  /** Seed of the fault decisions; absent: a random seed. Setting faults with a seed restarts the sequence. */
  seed?: number;
}

/** What the request log records as done to a request on purpose. */
export type FaultKind = '429' | '500' | '503' | 'drop' | 'daily-cap' | 'queue-full';

export type FaultSettingsParse = { ok: true; settings: FaultSettings } | { ok: false; reason: string };

const FIELDS: Readonly<Record<keyof FaultSettings, NumberRule>> = {
  rate429: SHARE,
  rate500: SHARE,
  rate503: SHARE,
  retryAfterSeconds: RETRY_AFTER_SECONDS,
  acceptThenDrop: SHARE,
  listErrors: SHARE,
  dailyCap: DAILY_CAP,
  seed: SEED,
};

function isField(key: string): key is keyof FaultSettings {
  return Object.hasOwn(FIELDS, key);
}

/**
 * Checks fault settings from code or from JSON (`PUT /sandbox/faults`): only known fields, each in range,
 * and the refusal shares summing to at most 1 (one draw decides between them).
 */
export function parseFaultSettings(value: unknown): FaultSettingsParse {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'faults must be an object' };
  }
  const settings: FaultSettings = {};
  for (const [key, field] of Object.entries(value)) {
    if (field === undefined) continue;
    if (!isField(key)) return { ok: false, reason: `faults.${key} is not a fault setting` };
    const rule = FIELDS[key];
    if (!satisfies(field, rule)) return { ok: false, reason: `faults.${key} must be ${rule.describe}` };
    settings[key] = field;
  }
  if (refusalSharesExceedOne(settings)) {
    return { ok: false, reason: 'faults.rate429 + rate500 + rate503 must be at most 1' };
  }
  return { ok: true, settings };
}

/** One draw picks between 429, 500 and 503, so their shares may sum to 1 at most. */
export function refusalSharesExceedOne(settings: FaultSettings): boolean {
  const sum = (settings.rate429 ?? 0) + (settings.rate500 ?? 0) + (settings.rate503 ?? 0);
  // The tolerance lets shares like 0.1 + 0.2 + 0.7 through despite floating-point rounding.
  return sum > 1 + 1e-9;
}
