import twilio from 'twilio';
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
 * The SDK's own RequestClient with only the origin of each URL replaced. Rewriting here, after the SDK has
 * built the URL, is safer than setting `client.api.baseUrl`: the SDK rewrites hostnames for regions and edges
 * and mangles two-label hosts (../shared/reference/twilio.md §7).
 */
class RebasedRequestClient extends twilio.RequestClient {
  readonly #origin: string;

  constructor(origin: string, options: RequestClient.RequestClientOptions) {
    super(options);
    this.#origin = origin;
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<HttpResponse.default<TData>> {
    const url = new URL(opts.uri);
    return super.request<TData>({ ...opts, uri: `${this.#origin}${url.pathname}${url.search}` });
  }
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
  const httpClient =
    options.baseUrl === undefined
      ? new twilio.RequestClient(transport)
      : new RebasedRequestClient(new URL(options.baseUrl).origin, transport);
  return twilio(options.accountSid, options.authToken, { httpClient, autoRetry: false });
}
