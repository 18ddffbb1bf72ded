import type { FaultInjector } from './fault-injection.js';
import { parseFaultSettings } from './fault-settings.js';
import { serialiseList } from './json-chunks.js';
import { type ApiRequest, type Reply, replyError, replyJson } from './pipeline.js';
import type { Recipients } from './recipients.js';
import type { RequestLog } from './request-log.js';
import { type SenderReport, serialiseSenders } from './sender-report.js';
import type { CallbackRecord } from './status-callback.js';
import { makeInvalidParameterError, makeTwilioError, METHOD_NOT_ALLOWED_ERROR } from './twilio-error.js';

export interface InspectionDependencies {
  log: RequestLog;
  faults: FaultInjector;
  senders: (now: number) => SenderReport[];
  callbacks: () => readonly CallbackRecord[];
  /** Recipients' replies so far, and a recipient writing now. */
  recipients: Pick<Recipients, 'records' | 'reply'>;
  /** Forgets requests, messages, sender counts and pending callbacks. */
  reset: () => void;
}

// Not part of Twilio's API, so no credentials: instead only this machine may look, even when the sandbox is
// bound to a wider interface, since the log holds every number and body posted.
const FORBIDDEN = makeTwilioError(20403, 'The sandbox inspection endpoints answer loopback clients only');

/**
 * The sandbox's own endpoints: `GET /sandbox/health`; `GET|DELETE /sandbox/requests` (DELETE forgets
 * everything, like reset()); `GET|PUT /sandbox/faults` (PUT replaces the fault settings, as JSON);
 * `GET /sandbox/senders`; `GET /sandbox/callbacks`; `GET /sandbox/replies` (what recipients wrote back) and
 * `POST /sandbox/replies` (JSON `{from, to, body, messagingServiceSid?}`: a recipient writes now).
 */
export async function answerInspection(request: ApiRequest, dependencies: InspectionDependencies): Promise<Reply> {
  if (!isLoopback(request.remoteAddress)) return replyError(FORBIDDEN);
  const route = `${request.method} ${request.route.kind}`;
  switch (route) {
    case 'GET sandbox-health':
      return replyJson(200, { status: 'ok' });
    case 'GET sandbox-requests':
      return { status: 200, chunks: serialiseList('requests', dependencies.log.snapshot()) };
    case 'DELETE sandbox-requests':
      dependencies.reset();
      return { status: 204 };
    case 'GET sandbox-faults':
      return replyJson(200, dependencies.faults.settings);
    case 'PUT sandbox-faults':
      return replaceFaults(request.text, dependencies.faults);
    case 'GET sandbox-senders':
      return { status: 200, chunks: serialiseSenders(dependencies.senders(request.receivedAt)) };
    case 'GET sandbox-callbacks':
      return { status: 200, chunks: serialiseList('callbacks', dependencies.callbacks()) };
    case 'GET sandbox-replies':
      return { status: 200, chunks: serialiseList('replies', dependencies.recipients.records()) };
    case 'POST sandbox-replies':
      return postReply(request.text, dependencies.recipients);
    default:
      return replyError(METHOD_NOT_ALLOWED_ERROR);
  }
}

function replaceFaults(text: string, faults: FaultInjector): Reply {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return replyError(makeInvalidParameterError('The body must be JSON fault settings'));
  }
  const parsed = parseFaultSettings(value);
  if (!parsed.ok) return replyError(makeInvalidParameterError(parsed.reason));
  faults.set(parsed.settings);
  return replyJson(200, faults.settings);
}

async function postReply(text: string, recipients: Pick<Recipients, 'reply'>): Promise<Reply> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const field = (name: string) =>
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
  const [from, to, body, service] = ['from', 'to', 'body', 'messagingServiceSid'].map(field);
  if (typeof from !== 'string' || typeof to !== 'string' || typeof body !== 'string')
    return replyError(makeInvalidParameterError('The body must be JSON {from, to, body, messagingServiceSid?}'));
  const record = await recipients.reply({
    from,
    to,
    body,
    ...(typeof service === 'string' ? { messagingServiceSid: service } : {}),
  });
  return replyJson(201, record);
}

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return v4.startsWith('127.') || address === '::1';
}
