import twilio from 'twilio';

import { currentSendContext, DispatchGateError, parseRetryAfter } from './dispatch-gate.js';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type * as HttpResponse from 'twilio/lib/http/response.js';

export type TwilioClient = ReturnType<typeof twilio>;

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
}

/**
 * The SDK's own RequestClient, with three additions: at the moment a request leaves, the send's dispatch gate (see
 * dispatch-gate.ts) is waited for and, for the sandbox, the origin of the URL is replaced; on an error answer, a
 * Retry-After is handed to the send, as the SDK's exceptions drop the headers. Rewriting here, after
 * the SDK has built the URL, is safer than setting `client.api.baseUrl`: the SDK rewrites hostnames for regions and
 * edges and mangles two-label hosts (../shared/reference/twilio.md §7).
 */
class HeraldRequestClient extends twilio.RequestClient {
  readonly #origin: string | undefined;

  constructor(origin: string | undefined, options: RequestClient.RequestClientOptions) {
    super(options);
    this.#origin = origin;
  }

  override async request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<HttpResponse.default<TData>> {
    const context = currentSendContext();
    await context?.gate().catch((error: unknown) => {
      throw new DispatchGateError(error);
    });
    const uri = this.#origin === undefined ? opts.uri : rebase(opts.uri, this.#origin);
    const response = await super.request<TData>({ ...opts, uri });
    if (context !== undefined && response.statusCode >= 400) {
      const retryAfterMs = parseRetryAfter((response.headers as Record<string, unknown>)['retry-after']);
      if (retryAfterMs !== undefined) context.retryAfterMs = retryAfterMs;
    }
    return response;
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
  const httpClient = new HeraldRequestClient(origin, transport);
  return twilio(options.accountSid, options.authToken, { httpClient, autoRetry: false });
}
