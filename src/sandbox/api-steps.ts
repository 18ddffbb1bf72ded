import { setTimeout as delay } from 'node:timers/promises';
import { type Credentials, matchesCredentials, parseBasicAuth } from './basic-auth.js';
import { type Middleware, replyError } from './pipeline.js';
import type { RequestLog } from './request-log.js';
import { accountOf } from './route.js';
import { AUTHENTICATE_ERROR } from './twilio-error.js';

/**
 * Answers only after `latencyMs`, standing in for the round trip to Twilio. The work is done first so the
 * message exists, as it would at Twilio, while the answer is still on its way. Aborting (on close) answers
 * at once rather than keeping the process alive for pending timers.
 */
export function delayReplies(latencyMs: number, signal: AbortSignal): Middleware {
  return async (request, next) => {
    const reply = await next(request);
    if (latencyMs > 0 && !signal.aborted) await delay(latencyMs, undefined, { signal }).catch(() => undefined);
    return reply;
  };
}

/** Records every create request with what it was answered, including ones refused before validation. */
export function logCreateRequests(log: RequestLog): Middleware {
  return async (request, next) => {
    const reply = await next(request);
    if (request.route.kind === 'messages' && request.method === 'POST') {
      log.record({
        receivedAt: request.receivedAt,
        accountSid: request.route.accountSid,
        params: request.params,
        status: reply.status,
        ...(reply.sid === undefined ? {} : { sid: reply.sid }),
        ...(reply.errorCode === undefined ? {} : { errorCode: reply.errorCode }),
        ...(reply.fault === undefined ? {} : { fault: reply.fault }),
      });
    }
    return reply;
  };
}

/**
 * HTTP Basic with the account SID and auth token. As at Twilio, valid credentials for one account do not open
 * another account's path: both answer 20003 (401).
 */
export function requireAccount(account: Credentials): Middleware {
  return async (request, next) => {
    const given = parseBasicAuth(request.headers.authorization);
    const allowed =
      given !== undefined && matchesCredentials(given, account) && accountOf(request.route) === account.username;
    return allowed ? next(request) : replyError(AUTHENTICATE_ERROR);
  };
}
