import type { MessageStore } from './message-store.js';
import { type ApiRequest, type Reply, replyError, replyJson } from './pipeline.js';
import { type RequestLog, serialiseRequests } from './request-log.js';
import { makeTwilioError, METHOD_NOT_ALLOWED_ERROR } from './twilio-error.js';

export interface InspectionDependencies {
  log: RequestLog;
  store: MessageStore;
}

// Not part of Twilio's API, so no credentials: instead only this machine may look, even when the sandbox is
// bound to a wider interface, since the log holds every number and body posted.
const FORBIDDEN = makeTwilioError(403, 20403, 'The sandbox inspection endpoints answer loopback clients only');

/** `GET /sandbox/health`, `GET /sandbox/requests` and `DELETE /sandbox/requests` (forgets requests and messages). */
export async function answerInspection(request: ApiRequest, dependencies: InspectionDependencies): Promise<Reply> {
  if (!isLoopback(request.remoteAddress)) return replyError(FORBIDDEN);
  const kind = request.route.kind;
  if (kind === 'sandbox-health' && request.method === 'GET') return replyJson(200, { status: 'ok' });
  if (kind === 'sandbox-requests' && request.method === 'GET') {
    return { status: 200, chunks: serialiseRequests(dependencies.log.snapshot()) };
  }
  if (kind === 'sandbox-requests' && request.method === 'DELETE') {
    dependencies.log.clear();
    dependencies.store.clear();
    return { status: 204 };
  }
  return replyError(METHOD_NOT_ALLOWED_ERROR);
}

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return v4.startsWith('127.') || address === '::1';
}
