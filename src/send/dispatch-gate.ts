/**
 * What herald's transport and one send share while the SDK makes the call: the gate to wait for right before the
 * request leaves (the sender's dispatch guard) and, on the way back, what the SDK's errors do not carry.
 */
export interface SendContext {
  gate: () => Promise<void>;
  /**
   * Whether the send may still leave on the gate's last pass, asked right before the request is written: false when
   * that pass was logged too long ago to count as the moment the send leaves. The gate is then passed again.
   */
  fresh?: () => boolean;
  /** Twilio's Retry-After on an error answer, in ms (the SDK's RestException has no headers). */
  retryAfterMs?: number;
}

/**
 * The context handed to the transport by the send being started. The SDK calls its HTTP client synchronously within
 * `messages.create()` (twilio 6: create → Version.request → Domain.request → Twilio.request → httpClient.request, no
 * await between), so the context only needs to be in place for that call: no AsyncLocalStorage, which hooks every
 * promise in the process.
 */
let handedOff: SendContext | undefined;
/**
 * Set once a send's transport was not called within its SDK call (an SDK that awaits before calling it): that call
 * may still come, without its context and so without its gate, and nothing tells it from any other request. From
 * then on the process refuses every send, and every request without a context, as not sent.
 */
let handOffMissed = false;
const HAND_OFF_MISSED = new Error('the Twilio SDK did not call its HTTP client within messages.create()');
const HAND_OFF_WHY = 'its dispatch gate could not be handed to the transport';

/**
 * The transport gave up before writing the request (its gate failed, or its connection closed while it waited for
 * the gate), so Twilio cannot have it: safe to retry.
 */
export class RequestNotSentError extends Error {
  override name = 'RequestNotSentError';
  readonly code = 'ENOTSENT';

  constructor(cause: unknown, why = 'its dispatch gate failed') {
    super(`the request was not sent: ${why} (${messageOf(cause)})`, { cause });
  }
}

/** Duck-typed: socket errors can come from another realm (a vm context), where `instanceof Error` is false. */
function messageOf(cause: unknown): string {
  const message = typeof cause === 'object' && cause !== null ? (cause as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : String(cause);
}

/**
 * Runs `send` (an SDK call) so that herald's transport waits for the context's gate at the last moment before the
 * request is written: after the SDK has built it and a connected socket is in hand, so neither time the SDK spends
 * (more on a process's first call) nor a new connection's TLS handshake can put a request on the wire sooner after
 * the previous one than the gate allows.
 */
export function sendInContext<T>(context: SendContext, send: () => Promise<T>): Promise<T> {
  if (handOffMissed) return Promise.reject(new RequestNotSentError(HAND_OFF_MISSED, HAND_OFF_WHY));
  handedOff = context;
  let sent: Promise<T>;
  try {
    sent = send();
  } catch (error) {
    // Thrown before any request (the SDK checks its parameters first): nothing can be sent later.
    handedOff = undefined;
    return Promise.reject(error);
  }
  const taken = handedOff !== context;
  handedOff = undefined;
  if (taken) return sent;
  handOffMissed = true;
  // The SDK's promise settles later, if at all (its request refused by the transport): nobody waits for it.
  sent.catch(() => undefined);
  return Promise.reject(new RequestNotSentError(HAND_OFF_MISSED, HAND_OFF_WHY));
}

/**
 * Passes the context's gate, again as long as its last pass is no longer fresh; the caller writes the request in the
 * same synchronous step as it resolves, so nothing runs between the check and the write.
 */
export async function passGate(context: SendContext): Promise<void> {
  await context.gate();
  while (context.fresh?.() === false) await context.gate();
}

/**
 * For the transport, at its start: the context of the send that called it (taken, so one send's context serves one
 * request), or none for a request made outside a send (a lookup). Throws RequestNotSentError once a hand-off was
 * missed, as the request may then be a send that lost its gate.
 */
export function takeSendContext(): SendContext | undefined {
  const context = handedOff;
  handedOff = undefined;
  if (context === undefined && handOffMissed) throw new RequestNotSentError(HAND_OFF_MISSED, HAND_OFF_WHY);
  return context;
}

/** A Retry-After header (delay-seconds or an HTTP date) in ms, or undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
