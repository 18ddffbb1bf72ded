import type { GroupScope, TwilioErrorEntry } from '../twilio-errors/error-entry.js';
import { computeHoldEnd } from '../twilio-errors/hold-end.js';
import { TWILIO_ERRORS, twilioErrorOf } from '../twilio-errors/twilio-errors.js';

/**
 * What a failed create call means for the recipient, decided from Twilio's error code first, by the table of
 * Twilio's errors, and the HTTP status second (429 is both 20429, always safe to retry, and 63038, the daily cap),
 * and for network errors from whether the request can have reached Twilio. Pure; the processor acts on the result.
 * A throttle or pause names the rate group it belongs to (`scope`); until herald paces by groups, it acts on the
 * sender that met the error.
 */
export type FailureOutcome =
  /** The request was certainly not processed: sending again cannot duplicate. */
  | { kind: 'retry'; reason: string; code?: number; retryAfterMs?: number }
  /** Not processed because the group is sending too fast: slow it down, then retry. */
  | { kind: 'throttle'; reason: string; code: number; scope: GroupScope; retryAfterMs?: number }
  /**
   * Not processed, and nothing more will be from the group until `until` (ms since epoch): a cap. The sender waits
   * in every process and resumes by itself then.
   */
  | { kind: 'pause-sender'; reason: string; code: number; scope: GroupScope; until: number }
  /**
   * Not processed, and no send from the sender (or from the whole account) can succeed until an operator fixes
   * the cause (a bad From, bad credentials) and resumes it: every recipient stays queued meanwhile.
   */
  | { kind: 'halt'; scope: 'sender' | 'account'; code: string; reason: string }
  /** Twilio refused this recipient for good; `optOut` when they opted out, so no campaign texts them again. */
  | { kind: 'failed'; code: string; reason: string; optOut?: true }
  /** The request may have reached Twilio; resending could text the recipient twice. */
  | { kind: 'unknown'; reason: string };

export interface ClassifyContext {
  /** Twilio's Retry-After on the answer, which herald's transport reads (the SDK's errors drop it). */
  retryAfterMs?: number;
  /** ms since epoch; a pause is counted from here. */
  now?: number;
  /** The pause after a daily cap without a Retry-After. @defaultValue DAILY_CAP_WINDOW_MS */
  dailyCapPauseMs?: number;
}

/** A 429 without a code is Twilio's concurrency limit. */
const TOO_MANY_REQUESTS = 20429;

/** herald's transport gave up before writing the request (dispatch-gate.ts). */
const NOT_SENT = 'ENOTSENT';

/** Socket errors raised before a byte of the request was written: nothing reached Twilio. */
const NOT_SENT_ERRNOS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function classifyFailure(error: unknown, context: ClassifyContext = {}): FailureOutcome {
  const { status, code } = readError(error);
  if (typeof status === 'number') {
    const entry = typeof code === 'number' ? twilioErrorOf(code) : undefined;
    if (typeof code === 'number' && entry !== undefined) return translateAction(code, entry, context);
    if (status === 429 && code === undefined) {
      return translateAction(TOO_MANY_REQUESTS, TWILIO_ERRORS[TOO_MANY_REQUESTS], context);
    }
    if (status === 429 || status >= 500) {
      return {
        kind: 'retry',
        reason: `HTTP ${status}`,
        ...(typeof code === 'number' ? { code } : {}),
        ...withRetryAfter(context.retryAfterMs),
      };
    }
    const label = typeof code === 'number' ? String(code) : `http-${status}`;
    return { kind: 'failed', code: label, reason: describe(error, `HTTP ${status}`) };
  }
  if (code === NOT_SENT) return { kind: 'retry', reason: describe(error, 'the request was not sent') };
  if (typeof code === 'string' && NOT_SENT_ERRNOS.has(code)) {
    return { kind: 'retry', reason: `connection failed before sending (${code})` };
  }
  return { kind: 'unknown', reason: describe(error, 'request failed after it may have reached Twilio') };
}

/** The outcome that the table's action for `code` calls for. */
function translateAction(code: number, { action, reason }: TwilioErrorEntry, context: ClassifyContext): FailureOutcome {
  switch (action.kind) {
    case 'retry':
      return { kind: 'retry', reason, code, ...withRetryAfter(context.retryAfterMs) };
    case 'throttle':
      return { kind: 'throttle', reason, code, scope: action.scope, ...withRetryAfter(context.retryAfterMs) };
    case 'hold': {
      const until = computeHoldEnd(action.until, {
        now: context.now ?? Date.now(),
        ...withRetryAfter(context.retryAfterMs),
        ...(context.dailyCapPauseMs === undefined ? {} : { dailyCapPauseMs: context.dailyCapPauseMs }),
      });
      return { kind: 'pause-sender', reason, code, scope: action.scope, until };
    }
    case 'halt':
      return { kind: 'halt', scope: action.scope, code: String(code), reason };
    case 'fail':
      return { kind: 'failed', code: String(code), reason };
    case 'opt-out':
      return { kind: 'failed', code: String(code), reason, optOut: true };
  }
}

function withRetryAfter(ms: number | undefined): { retryAfterMs?: number } {
  return ms === undefined ? {} : { retryAfterMs: ms };
}

function readError(error: unknown): { status?: number; code?: number | string } {
  if (typeof error !== 'object' || error === null) return {};
  const { status, code } = error as { status?: unknown; code?: unknown };
  return {
    ...(typeof status === 'number' ? { status } : {}),
    ...(typeof code === 'number' || typeof code === 'string' ? { code } : {}),
  };
}

function describe(error: unknown, fallback: string): string {
  return error instanceof Error && error.message !== '' ? error.message : fallback;
}
