/**
 * What a failed create call means for the recipient, decided from the Twilio error code first and the HTTP
 * status second (429 is both 20429, always safe to retry, and 63038, the daily cap), and for network errors
 * from whether the request can have reached Twilio. Pure and table-driven; the processor acts on the result.
 */

import { DispatchGateError } from './dispatch-gate.js';

export type FailureOutcome =
  /** The request was certainly not processed: sending again cannot duplicate. */
  | { kind: 'retry'; reason: string; code?: number; retryAfterMs?: number }
  /** Not processed because the sender (or the account) is sending too fast: slow the whole sender, then retry. */
  | { kind: 'throttle'; reason: string; code: number; retryAfterMs?: number }
  /** Twilio refused for good; `scope` says whether the recipient, the sender or the whole account is at fault. */
  | { kind: 'failed'; code: string; reason: string; scope: 'recipient' | 'sender' | 'account' }
  /** The request may have reached Twilio; resending could text the recipient twice. */
  | { kind: 'unknown'; reason: string };

type Permanent = { reason: string; scope: 'recipient' | 'sender' | 'account' };

/** Twilio codes that no retry can cure (../shared/reference/twilio.md §2). */
export const PERMANENT_CODES: Readonly<Record<number, Permanent>> = {
  20003: { reason: 'authentication failed (check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN)', scope: 'account' },
  21211: { reason: 'invalid To number', scope: 'recipient' },
  21212: { reason: 'invalid From number', scope: 'sender' },
  21408: { reason: 'region not permitted (Geo Permissions)', scope: 'recipient' },
  21602: { reason: 'message body is required', scope: 'recipient' },
  21604: { reason: 'To number is required', scope: 'recipient' },
  21606: { reason: 'From number cannot send to this destination', scope: 'sender' },
  21610: { reason: 'recipient has opted out (replied STOP)', scope: 'recipient' },
  21612: { reason: 'To number is not reachable from this sender', scope: 'recipient' },
  21614: { reason: 'To number is not a mobile number', scope: 'recipient' },
  21617: { reason: 'body exceeds 1600 characters', scope: 'recipient' },
  21619: { reason: 'a body, media URL or content SID is required', scope: 'recipient' },
  21620: { reason: 'invalid media URL', scope: 'recipient' },
  21623: { reason: 'more than 10 media URLs', scope: 'recipient' },
};

/** Codes that mean "not processed: the sender is going too fast". */
const THROTTLE_CODES: Readonly<Record<number, string>> = {
  20429: 'too many concurrent requests (20429)',
  21611: 'sender queue is full (21611)',
};

/** Codes that mean "not processed, try later". */
const RETRY_CODES: Readonly<Record<number, string>> = {
  63038: 'daily message limit reached (63038)',
};

/** Socket errors raised before a byte of the request was written: nothing reached Twilio. */
const NOT_SENT_ERRNOS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** `retryAfterMs`: Twilio's Retry-After on the answer, which herald's transport reads (the SDK's errors drop it). */
export function classifyFailure(error: unknown, retryAfterMs?: number): FailureOutcome {
  const { status, code } = readError(error);
  if (typeof status === 'number') {
    if (typeof code === 'number' && PERMANENT_CODES[code] !== undefined) {
      return { kind: 'failed', code: String(code), ...PERMANENT_CODES[code] };
    }
    if (typeof code === 'number' && THROTTLE_CODES[code] !== undefined) {
      return { kind: 'throttle', reason: THROTTLE_CODES[code], code, ...withRetryAfter(retryAfterMs) };
    }
    if (status === 429 && code === undefined) {
      return { kind: 'throttle', reason: 'HTTP 429', code: 20429, ...withRetryAfter(retryAfterMs) };
    }
    if (typeof code === 'number' && RETRY_CODES[code] !== undefined) {
      return { kind: 'retry', reason: RETRY_CODES[code], code, ...withRetryAfter(retryAfterMs) };
    }
    if (status === 429 || status >= 500) {
      return {
        kind: 'retry',
        reason: `HTTP ${status}`,
        ...(typeof code === 'number' ? { code } : {}),
        ...withRetryAfter(retryAfterMs),
      };
    }
    const label = typeof code === 'number' ? String(code) : `http-${status}`;
    return { kind: 'failed', code: label, reason: describe(error, `HTTP ${status}`), scope: 'recipient' };
  }
  if (error instanceof DispatchGateError) return { kind: 'retry', reason: error.message };
  if (typeof code === 'string' && NOT_SENT_ERRNOS.has(code)) {
    return { kind: 'retry', reason: `connection failed before sending (${code})` };
  }
  return { kind: 'unknown', reason: describe(error, 'request failed after it may have reached Twilio') };
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
