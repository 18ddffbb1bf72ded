import type { IncomingHttpHeaders } from 'node:http';
import type { FaultKind } from './fault-settings.js';
import type { FormParams } from './form.js';
import type { Route } from './route.js';
import { type TwilioError, toErrorBody } from './twilio-error.js';

/** A request as the handlers see it: already read in full, independent of the HTTP server. */
export interface ApiRequest {
  method: string;
  url: URL;
  route: Route;
  headers: IncomingHttpHeaders;
  /** The form parameters when the body is form-encoded; empty otherwise (Twilio ignores other bodies). */
  params: FormParams;
  /** The body as text, for the sandbox's own JSON endpoints. */
  text: string;
  remoteAddress: string | undefined;
  receivedAt: number;
}

/**
 * An answer. `json` is sent as one body; `chunks` is streamed, for answers too large to build as one string.
 * `sid`/`errorCode`/`fault` tell outer steps (the request log) what a create produced without re-reading the
 * body. `abort` asks the server to destroy the connection instead of answering (an injected drop).
 */
export interface Reply {
  status: number;
  json?: unknown;
  chunks?: Iterable<string>;
  headers?: Readonly<Record<string, string>>;
  abort?: true;
  sid?: string;
  errorCode?: number;
  fault?: FaultKind;
}

export type Handler = (request: ApiRequest) => Promise<Reply>;

/**
 * One step around the rest of the pipeline: it may answer on its own (auth failure, an injected fault) or
 * call `next` and adjust or observe the answer (latency, request log, a drop after acceptance).
 */
export type Middleware = (request: ApiRequest, next: Handler) => Promise<Reply>;

/** Chains steps so the first runs outermost and `last` answers when every step passes the request on. */
export function composeHandlers(steps: readonly Middleware[], last: Handler): Handler {
  return steps.reduceRight<Handler>((next, step) => (request) => step(request, next), last);
}

export function replyJson(status: number, json: unknown): Reply {
  return { status, json };
}

export function replyError(error: TwilioError): Reply {
  return { status: error.status, json: toErrorBody(error), errorCode: error.code };
}
