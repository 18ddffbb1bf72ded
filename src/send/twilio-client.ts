import twilio from 'twilio';

import { parseRetryAfter, passGate, RequestNotSentError, type SendContext, takeSendContext } from './dispatch-gate.js';
import { DirectTransport } from './direct-transport.js';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type * as HttpResponse from 'twilio/lib/http/response.js';

export type TwilioClient = ReturnType<typeof twilio>;

/**
 * `direct`: herald's transport on Node's http client (direct-transport.ts), which passes the dispatch gate on a
 * connected socket. `sdk`: the SDK's own axios transport, the gate passed before it looks for a socket.
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
 * The SDK's own RequestClient, with three additions: the send's dispatch gate (see dispatch-gate.ts) is waited for
 * right before the request is written and, for the sandbox, the origin of the URL is replaced; on an error answer,
 * a Retry-After is handed to the send, as the SDK's exceptions drop the headers. Rewriting here, after the SDK has
 * built the URL, is safer than setting `client.api.baseUrl`: the SDK rewrites hostnames for regions and edges and
 * mangles two-label hosts (../shared/reference/twilio.md §7). With a direct transport, the requests it can send
 * exactly as the SDK would (every one herald makes) go through it; the rest, and all of them behind an HTTP_PROXY
 * (which the SDK honours with its own agent), through the SDK's axios transport.
 */
class HeraldRequestClient extends twilio.RequestClient {
  readonly #origin: string | undefined;
  readonly #direct: DirectTransport | undefined;

  constructor(origin: string | undefined, options: RequestClient.RequestClientOptions, direct?: DirectTransport) {
    super(options);
    this.#origin = origin;
    this.#direct = direct;
  }

  override async request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<HttpResponse.default<TData>> {
    // First, before any await: the SDK calls this synchronously within messages.create() (see dispatch-gate.ts).
    const context = takeSendContext();
    const uri = this.#origin === undefined ? opts.uri : rebase(opts.uri, this.#origin);
    const encoded = this.#direct === undefined ? undefined : DirectTransport.encode(opts);
    const response =
      this.#direct !== undefined && encoded !== undefined
        ? await this.#direct.request(opts, encoded, uri, context)
        : await this.#viaSdk(opts, uri, context);
    if (context !== undefined && response.statusCode >= 400) {
      const retryAfterMs = parseRetryAfter((response.headers as Record<string, unknown>)['retry-after']);
      if (retryAfterMs !== undefined) context.retryAfterMs = retryAfterMs;
    }
    return response;
  }

  async #viaSdk<TData>(
    opts: RequestClient.RequestOptions<TData>,
    uri: string,
    context: SendContext | undefined,
  ): Promise<HttpResponse.default<TData>> {
    // Nothing has been written yet: a failing gate (Redis away) must read as "not sent", never as a lost answer.
    if (context !== undefined) {
      await passGate(context).catch((error: unknown) => {
        throw new RequestNotSentError(error);
      });
    }
    return super.request<TData>({ ...opts, uri });
  }
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
