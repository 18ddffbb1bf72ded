import twilio from 'twilio';

import { DirectTransport } from './direct-transport.js';
import { NotWritten, RequestNotSentError } from './request-not-sent.js';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type * as HttpResponse from 'twilio/lib/http/response.js';

export type TwilioClient = ReturnType<typeof twilio>;

/**
 * `direct`: herald's transport on Node's http client (direct-transport.ts), which tells a request that was never
 * written from one that may have reached Twilio. `sdk`: the SDK's own axios transport.
 */
export type HttpTransportKind = 'direct' | 'sdk';

export interface TwilioClientOptions {
  accountSid: string;
  authToken: string;
  /**
   * Origin to send API requests to instead of https://api.twilio.com (the sandbox, e.g. `http://127.0.0.1:4010`).
   * Absent: the SDK talks to Twilio unchanged.
   */
  baseUrl?: string;
  /** Per-request timeout. */
  timeoutMs: number;
  /**
   * Sockets the SDK may open to the API host. The SDK's default (20) caps one process at 20 / latency sends per
   * second whatever the worker's concurrency, so herald sizes it to its concurrency.
   */
  maxSockets: number;
  /** Extra CA certificate(s) to trust (PEM), e.g. the sandbox's self-signed one. */
  ca?: string;
  /** @defaultValue 'direct' */
  transport?: HttpTransportKind;
}

/**
 * The SDK's own RequestClient, with two additions: for the sandbox, the origin of the URL is replaced; and an error
 * answer with a Retry-After is thrown here as the SDK would throw it, with `retryAfterMs` added, as the SDK's own
 * exceptions drop the headers. Rewriting here, after the SDK has built the URL, is safer than setting
 * `client.api.baseUrl`: the SDK rewrites hostnames for regions and edges and mangles two-label hosts. With a direct
 * transport, the requests it can send exactly as the SDK would (every one herald makes) go through it; the rest, and
 * all of them behind an HTTP_PROXY (which the SDK honours with its own agent), through the SDK's axios transport.
 */
class HeraldRequestClient extends twilio.RequestClient {
  readonly #origin: string | undefined;
  readonly #direct: DirectTransport | undefined;

  constructor(origin: string | undefined, options: RequestClient.RequestClientOptions, direct?: DirectTransport) {
    super(options);
    this.#origin = origin;
    this.#direct = direct;
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<HttpResponse.default<TData>> {
    return this.send(opts, undefined, undefined);
  }

  /**
   * A request, with `beforeWrite` awaited right before it is written and `afterWrite` called once it has been
   * (see clientForSend).
   */
  async send<TData>(
    opts: RequestClient.RequestOptions<TData>,
    beforeWrite: (() => Promise<void>) | undefined,
    afterWrite: (() => void) | undefined,
  ): Promise<HttpResponse.default<TData>> {
    const uri = this.#origin === undefined ? opts.uri : rebase(opts.uri, this.#origin);
    const encoded = this.#direct === undefined ? undefined : DirectTransport.encode(opts);
    let response: HttpResponse.default<TData>;
    if (this.#direct !== undefined && encoded !== undefined) {
      response = await this.#direct.request(opts, encoded, uri, beforeWrite, afterWrite);
    } else {
      // The SDK's own transport looks for a socket only once asked: the step runs before it, and anything but a
      // NotWritten from it means nothing was sent. Whether it then writes the request cannot be seen from here, so
      // the request counts as written from the moment it is handed to the SDK.
      if (beforeWrite !== undefined) {
        await beforeWrite().catch((error: unknown) => {
          throw error instanceof NotWritten
            ? error
            : new RequestNotSentError(error, 'its last step before writing failed');
        });
      }
      afterWrite?.();
      response = await super.request<TData>({ ...opts, uri });
    }
    if (response.statusCode >= 400) {
      const retryAfterMs = parseRetryAfter((response.headers as Record<string, unknown>)['retry-after']);
      if (retryAfterMs !== undefined) throw Object.assign(exceptionOf(response), { retryAfterMs });
    }
    return response;
  }
}

/**
 * The exception the SDK throws for an error answer of the 2010 API (the only one herald calls: Messages create, list
 * and fetch), built from the same response.
 */
function exceptionOf(response: HttpResponse.default<unknown>): Error {
  return new twilio.RestException(response);
}

/** A Retry-After header (delay-seconds or an HTTP date) in ms, or undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Twilio's Retry-After on an error the client threw, in ms, if it had one. */
export function retryAfterOf(error: unknown): number | undefined {
  const value =
    typeof error === 'object' && error !== null ? (error as { retryAfterMs?: unknown }).retryAfterMs : undefined;
  return typeof value === 'number' ? value : undefined;
}

function rebase(uri: string, origin: string): string {
  const url = new URL(uri);
  return `${origin}${url.pathname}${url.search}`;
}

/** Builds the official Twilio client with herald's transport settings; retries stay herald's (autoRetry off). */
export function createTwilioClient(options: TwilioClientOptions): TwilioClient {
  const transport: RequestClient.RequestClientOptions = {
    timeout: options.timeoutMs,
    keepAlive: true,
    maxSockets: options.maxSockets,
    maxTotalSockets: options.maxSockets,
    maxFreeSockets: options.maxSockets,
    autoRetry: false,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
  };
  const origin = options.baseUrl === undefined ? undefined : new URL(options.baseUrl).origin;
  const direct =
    (options.transport ?? 'direct') === 'direct' && !process.env['HTTP_PROXY']
      ? new DirectTransport({
          timeoutMs: options.timeoutMs,
          maxSockets: options.maxSockets,
          ...(options.ca === undefined ? {} : { ca: options.ca }),
        })
      : undefined;
  const httpClient = new HeraldRequestClient(origin, transport, direct);
  return twilio(options.accountSid, options.authToken, { httpClient, autoRetry: false });
}

/**
 * A client for one send, on the same connections and settings as `client`, whose create request runs `beforeWrite`
 * right before it is written (herald's transport: on a connected socket): the send's campaign gate and in-flight
 * mark, so that nothing, not even opening a connection, lies between the mark and the request. `afterWrite` is called
 * once the request has been handed to the operating system (the SDK's transport: once handed to the SDK), to record
 * that it may reach Twilio. The client is handed to the one SDK call it serves, so it needs no state shared between
 * sends. Each send pays for building the SDK's client objects again (tens of microseconds).
 */
export function clientForSend(
  client: TwilioClient,
  beforeWrite: () => Promise<void>,
  afterWrite?: () => void,
): TwilioClient {
  const shared = client.httpClient;
  if (!(shared instanceof HeraldRequestClient)) throw new Error('clientForSend needs a client from createTwilioClient');
  const httpClient: RequestClient = Object.create(shared);
  httpClient.request = (opts) => shared.send(opts, beforeWrite, afterWrite);
  return twilio(client.username, client.password, { accountSid: client.accountSid, httpClient, autoRetry: false });
}
