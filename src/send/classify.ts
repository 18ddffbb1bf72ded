/**
 * What a failed create call means for the recipient, decided from the Twilio error code first and the HTTP
 * status second (429 is both 20429, always safe to retry, and 63038, the daily cap), and for network errors
 * from whether the request can have reached Twilio. Pure and table-driven; the processor acts on the result.
 */
export type FailureOutcome =
  /** The request was certainly not processed: sending again cannot duplicate. */
  | { kind: 'retry'; reason: string; code?: number; retryAfterMs?: number }
  /** Not processed because the sender (or the account) is sending too fast: slow the whole sender, then retry. */
  | { kind: 'throttle'; reason: string; code: number; retryAfterMs?: number }
  /**
   * Not processed, and nothing more will be from this sender until `until` (ms since epoch): the daily cap. The
   * sender waits in every process and resumes by itself then.
   */
  | { kind: 'pause-sender'; reason: string; code: number; until: number }
  /**
   * Not processed, and no send from the sender (or from the whole account) can succeed until an operator fixes
   * the cause (a bad From, bad credentials) and resumes it: every recipient stays queued meanwhile.
   */
  | { kind: 'halt'; scope: 'sender' | 'account'; code: string; reason: string }
  /** Twilio refused this recipient for good. */
  | { kind: 'failed'; code: string; reason: string }
  /** The request may have reached Twilio; resending could text the recipient twice. */
  | { kind: 'unknown'; reason: string };

type Permanent = { reason: string; scope: 'recipient' | 'sender' | 'account' };

/**
 * Twilio codes that no retry can cure (../shared/reference/twilio.md §2). Where the sender or the account is at
 * fault, failing each recipient in turn would burn the whole list on one configuration mistake, so those codes halt
 * the sender's (or the account's) sends instead, until an operator fixes the cause and resumes them.
 */
export const PERMANENT_CODES: Readonly<Record<number, Permanent>> = {
  20003: { reason: 'authentication failed (check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN)', scope: 'account' },
  21211: { reason: 'invalid To number', scope: 'recipient' },
  21212: { reason: 'invalid From number', scope: 'sender' },
  21408: { reason: 'region not permitted (Geo Permissions)', scope: 'recipient' },
  21602: { reason: 'message body is required', scope: 'recipient' },
  21604: { reason: 'To number is required', scope: 'recipient' },
  21606: { reason: 'From number is not a message-capable number of this account', scope: 'sender' },
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

/** Twilio's daily cap: not processed, and nothing more from this sender until the window resets. */
const DAILY_CAP_CODE = 63038;

/**
 * Twilio counts the daily cap over a rolling 24 hours (../shared/reference/twilio.md §2: "not until the 24 h window
 * resets") and says nothing of when the oldest message leaves it, so without a Retry-After the only wait known to
 * be long enough is a full window from the refusal.
 */
export const DAILY_CAP_WINDOW_MS = 24 * 3_600_000;

export interface ClassifyContext {
  /** Twilio's Retry-After on the answer, which herald's transport reads (the SDK's errors drop it). */
  retryAfterMs?: number;
  /** ms since epoch; the daily cap's pause is counted from here. */
  now?: number;
  /** The pause after a daily cap without a Retry-After. @defaultValue DAILY_CAP_WINDOW_MS */
  dailyCapPauseMs?: number;
}

/** herald's transport gave up before writing the request (request-not-sent.ts). */
const NOT_SENT = 'ENOTSENT';

/** Socket errors raised before a byte of the request was written: nothing reached Twilio. */
const NOT_SENT_ERRNOS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function classifyFailure(error: unknown, context: ClassifyContext = {}): FailureOutcome {
  const { retryAfterMs } = context;
  const { status, code } = readError(error);
  if (typeof status === 'number') {
    const permanent = typeof code === 'number' ? PERMANENT_CODES[code] : undefined;
    if (permanent !== undefined) {
      const { reason, scope } = permanent;
      return scope === 'recipient'
        ? { kind: 'failed', code: String(code), reason }
        : { kind: 'halt', code: String(code), reason, scope };
    }
    if (code === DAILY_CAP_CODE) {
      const pauseMs = retryAfterMs ?? context.dailyCapPauseMs ?? DAILY_CAP_WINDOW_MS;
      return {
        kind: 'pause-sender',
        reason: 'daily message limit reached (63038)',
        code,
        until: (context.now ?? Date.now()) + pauseMs,
      };
    }
    if (typeof code === 'number' && THROTTLE_CODES[code] !== undefined) {
      return { kind: 'throttle', reason: THROTTLE_CODES[code], code, ...withRetryAfter(retryAfterMs) };
    }
    if (status === 429 && code === undefined) {
      return { kind: 'throttle', reason: 'HTTP 429', code: 20429, ...withRetryAfter(retryAfterMs) };
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
    return { kind: 'failed', code: label, reason: describe(error, `HTTP ${status}`) };
  }
  if (code === NOT_SENT) return { kind: 'retry', reason: describe(error, 'the request was not sent') };
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
