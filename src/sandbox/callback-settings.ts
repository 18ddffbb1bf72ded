import type { TwilioErrorCode } from '../twilio-errors/twilio-errors.js';
import { DELAY_MS, type NumberRule, satisfies, SEED, SHARE } from './number-rules.js';

export interface DelayRange {
  min: number;
  max: number;
}

/** The asynchronous errors an undelivered message carries; Twilio's wording of each is in the table. */
export const UNDELIVERED_CODES = [30003, 30005, 30006, 30007] as const satisfies readonly TwilioErrorCode[];
export type UndeliveredCode = (typeof UNDELIVERED_CODES)[number];

/** How the sandbox simulates delivery and reports it to each message's StatusCallback. */
export interface CallbackOptions {
  /** From leaving the sender's queue to `sent`. @defaultValue { min: 100, max: 1000 } */
  sentDelayMs?: DelayRange;
  /** From `sent` to `delivered`/`undelivered`, and from `delivered` to `read`. @defaultValue { min: 500, max: 3000 } */
  deliveredDelayMs?: DelayRange;
  /** Share of messages that end `undelivered` rather than `delivered`. @defaultValue 0 */
  undeliveredShare?: number;
  /** Relative weights of the ErrorCode an undelivered message gets. @defaultValue equal weights */
  undeliveredCodes?: Partial<Record<UndeliveredCode, number>>;
  /** Share of delivered WhatsApp messages that are then `read`. @defaultValue 0 */
  readShare?: number;
  /** Share of callbacks sent twice, as Twilio may on retry. @defaultValue 0 */
  duplicateShare?: number;
  /** Share of messages whose final callback comes before `sent`. @defaultValue 0 */
  outOfOrderShare?: number;
  /** Seed of the delivery decisions; absent: a random seed. */
  seed?: number;
}

/** The options with every default filled in. */
export interface CallbackSettings {
  sentDelayMs: DelayRange;
  deliveredDelayMs: DelayRange;
  undeliveredShare: number;
  undeliveredCodes: ReadonlyArray<readonly [UndeliveredCode, number]>;
  readShare: number;
  duplicateShare: number;
  outOfOrderShare: number;
  seed: number | undefined;
}

export type CallbackSettingsParse = { ok: true; settings: CallbackSettings } | { ok: false; reason: string };

const SHARES = ['undeliveredShare', 'readShare', 'duplicateShare', 'outOfOrderShare'] as const;
const WEIGHT: NumberRule = { min: 0, aboveMin: false, max: 1e6, integer: false, describe: 'a weight from 0 to 1e6' };

export function parseCallbackOptions(options: CallbackOptions): CallbackSettingsParse {
  for (const key of SHARES) {
    const value = options[key];
    if (value !== undefined && !satisfies(value, SHARE)) return fail(`callbacks.${key} must be ${SHARE.describe}`);
  }
  if (options.seed !== undefined && !satisfies(options.seed, SEED))
    return fail(`callbacks.seed must be ${SEED.describe}`);
  const sent = checkRange('sentDelayMs', options.sentDelayMs ?? { min: 100, max: 1000 });
  if (typeof sent === 'string') return fail(sent);
  const delivered = checkRange('deliveredDelayMs', options.deliveredDelayMs ?? { min: 500, max: 3000 });
  if (typeof delivered === 'string') return fail(delivered);
  const weights = UNDELIVERED_CODES.map((code) => [code, options.undeliveredCodes?.[code] ?? 0] as const);
  for (const [code, weight] of weights) {
    if (!satisfies(weight, WEIGHT)) return fail(`callbacks.undeliveredCodes.${code} must be ${WEIGHT.describe}`);
  }
  const anyWeight = weights.some(([, weight]) => weight > 0);
  return {
    ok: true,
    settings: {
      sentDelayMs: sent,
      deliveredDelayMs: delivered,
      undeliveredShare: options.undeliveredShare ?? 0,
      undeliveredCodes: anyWeight ? weights : UNDELIVERED_CODES.map((code) => [code, 1] as const),
      readShare: options.readShare ?? 0,
      duplicateShare: options.duplicateShare ?? 0,
      outOfOrderShare: options.outOfOrderShare ?? 0,
      seed: options.seed,
    },
  };
}

function checkRange(name: string, range: DelayRange): DelayRange | string {
  if (!satisfies(range.min, DELAY_MS) || !satisfies(range.max, DELAY_MS)) {
    return `callbacks.${name} min and max must be ${DELAY_MS.describe}`;
  }
  return range.min <= range.max ? range : `callbacks.${name}.min must not be above its max`;
}

function fail(reason: string): CallbackSettingsParse {
  return { ok: false, reason };
}
