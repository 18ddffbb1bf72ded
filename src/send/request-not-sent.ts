/**
 * The transport gave up before writing the request (its connection could not be opened, or closed before the
 * request was written), so Twilio cannot have it: safe to retry. classify.ts reads it by its code, so that an error
 * from another realm (a vm context) reads the same.
 */
export class RequestNotSentError extends Error {
  override name = 'RequestNotSentError';
  readonly code = 'ENOTSENT';

  constructor(cause: unknown, why: string) {
    super(`the request was not sent: ${why} (${messageOf(cause)})`, { cause });
  }
}

/** Duck-typed: socket errors can come from another realm (a vm context), where `instanceof Error` is false. */
function messageOf(cause: unknown): string {
  const message = typeof cause === 'object' && cause !== null ? (cause as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : String(cause);
}

/**
 * Thrown by a send's last step before writing (see twilio-client.ts `clientForSend`) when the request must not be
 * written after all; the transport destroys it unwritten and passes this error through as it is.
 */
export class NotWritten extends Error {
  override name = 'NotWritten';
}
