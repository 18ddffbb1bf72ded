/**
 * Ranges for the sandbox's numeric settings, shared by the options checks (startSandbox, setFaults,
 * PUT /sandbox/faults) and the `herald sandbox` flags, so both refuse the same values with the same words.
 */
export interface NumberRule {
  min: number;
  /** Whether `min` itself is refused (queue hours and MPS divide, so they must be above 0). */
  aboveMin: boolean;
  max: number;
  integer: boolean;
  /** Completes "… must be": e.g. "a share from 0 to 1". */
  describe: string;
}

export const SHARE: NumberRule = { min: 0, aboveMin: false, max: 1, integer: false, describe: 'a share from 0 to 1' };
export const SEED: NumberRule = {
  min: 0,
  aboveMin: false,
  max: 4_294_967_295,
  integer: true,
  describe: 'a whole number from 0 to 4294967295',
};
export const DAILY_CAP: NumberRule = {
  min: 1,
  aboveMin: false,
  max: 1e9,
  integer: true,
  describe: 'a whole number from 1 to 1000000000',
};
export const RETRY_AFTER_SECONDS: NumberRule = {
  min: 0,
  aboveMin: false,
  max: 86_400,
  integer: true,
  describe: 'whole seconds from 0 to 86400',
};
// Twilio's documented queues hold 4 h (older pages, WhatsApp) to 10 h (current long-code pages) of sending.
export const QUEUE_HOURS: NumberRule = {
  min: 0,
  aboveMin: true,
  max: 24,
  integer: false,
  describe: 'hours above 0, at most 24',
};
export const MPS: NumberRule = {
  min: 0,
  aboveMin: true,
  max: 100_000,
  integer: false,
  describe: 'messages per second above 0, at most 100000',
};
export const DELAY_MS: NumberRule = {
  min: 0,
  aboveMin: false,
  max: 3_600_000,
  integer: true,
  describe: 'whole milliseconds from 0 to 3600000',
};

/** Whether `value` is a number the rule allows. */
export function satisfies(value: unknown, rule: NumberRule): value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (rule.integer && !Number.isInteger(value)) return false;
  return (rule.aboveMin ? value > rule.min : value >= rule.min) && value <= rule.max;
}
