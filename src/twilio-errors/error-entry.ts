/**
 * Why a message failed, in a handful of classes an operator can act on: fix the list (recipient), fix a sender
 * (sender), fix the account (account), fix the template (content), slow down (throttled), wait (transient),
 * ask Twilio what happened (unknown), or the handset's carrier refused it after Twilio accepted it (carrier).
 * `whatsapp` and `rejected` hold WhatsApp's and Twilio's other refusals; `other` anything herald cannot read.
 */
export const REASON_CLASSES = [
  'recipient',
  'sender',
  'account',
  'content',
  'throttled',
  'transient',
  'unknown',
  'carrier',
  'whatsapp',
  'rejected',
  'other',
] as const;
export type ReasonClass = (typeof REASON_CLASSES)[number];

/**
 * The rate group an action applies to: carriers and Twilio meter a number, a pool of numbers (a 10DLC campaign, a
 * Messaging Service), a brand and the account. A throttle or hold acts on that group of the sender's rate chain
 * (src/send/steps/act-on-failure.ts, src/receipts/react-to-receipt.ts).
 */
export type GroupScope = 'sender' | 'pool' | 'brand' | 'account';

/** When a held group may send again: Twilio's `Retry-After` when it gives one, else this. */
export type HoldEnd =
  /** An hour after the refusal: an hourly cap. */
  | 'rolling-hour'
  /** `HERALD_DAILY_CAP_HOLD_MS` (24 h) after the refusal: a cap counted over a rolling day. */
  | 'rolling-day'
  /** The next midnight in America/Los_Angeles, when T-Mobile resets a brand's daily cap. */
  | 'daily-reset';

/** What herald does when Twilio answers with a code. */
export type ErrorAction =
  /** Not processed, by chance: retried after a backoff, using one of the recipient's attempts. */
  | { kind: 'retry' }
  /** Not processed because the group sends too fast: the group slows down; the send waits without using attempts. */
  | { kind: 'throttle'; scope: GroupScope }
  /** The group's cap is reached: it sends nothing until `until`, then resumes by itself; no attempts are used. */
  | { kind: 'hold'; scope: GroupScope; until: HoldEnd }
  /** No send from the sender (or the account) can succeed until an operator fixes the cause and resumes it. */
  | { kind: 'halt'; scope: 'sender' | 'account' }
  /** Twilio refused this recipient for good. */
  | { kind: 'fail' }
  /** The recipient opted out: failed, and never texted again by any campaign. */
  | { kind: 'opt-out' };

export interface TwilioErrorEntry {
  /** Twilio's words for the code: its API's message where known (the sandbox answers with it), else its title. */
  title: string;
  /** The HTTP status of Twilio's synchronous answer; absent for codes that only arrive on a delivery receipt. */
  status?: number;
  action: ErrorAction;
  /** Whether `herald resend-failed` may send again to a recipient that ended with this code. */
  curable: boolean;
  /** herald's reason, in the report, logs and summaries. */
  reason: string;
  /** The reason class of metrics. */
  class: ReasonClass;
  /** Why herald acts so: Twilio's guidance, or how herald reads it. */
  why: string;
}

export const RETRY = { kind: 'retry' } as const satisfies ErrorAction;
export const FAIL = { kind: 'fail' } as const satisfies ErrorAction;
export const OPT_OUT = { kind: 'opt-out' } as const satisfies ErrorAction;
export const HALT_SENDER = { kind: 'halt', scope: 'sender' } as const satisfies ErrorAction;
export const HALT_ACCOUNT = { kind: 'halt', scope: 'account' } as const satisfies ErrorAction;

export function throttle(scope: GroupScope): ErrorAction {
  return { kind: 'throttle', scope };
}

export function hold(scope: GroupScope, until: HoldEnd): ErrorAction {
  return { kind: 'hold', scope, until };
}
