import { AsyncLocalStorage } from 'node:async_hooks';

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

const contexts = new AsyncLocalStorage<SendContext>();

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
  return contexts.run(context, send);
}

/**
 * Passes the context's gate, again as long as its last pass is no longer fresh; the caller writes the request in the
 * same synchronous step as it resolves, so nothing runs between the check and the write.
 */
export async function passGate(context: SendContext): Promise<void> {
  await context.gate();
  while (context.fresh?.() === false) await context.gate();
}

/** The context of the send in which the transport is called, if any. */
export function currentSendContext(): SendContext | undefined {
  return contexts.getStore();
}

/** A Retry-After header (delay-seconds or an HTTP date) in ms, or undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
