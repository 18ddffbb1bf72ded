import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, type ClientRequest, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { brotliDecompressSync, inflateSync, unzipSync } from 'node:zlib';

import { encodeForm } from './encode-form.js';
import { NotWritten, RequestNotSentError } from './request-not-sent.js';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type * as HttpResponse from 'twilio/lib/http/response.js';

const FORM = 'application/x-www-form-urlencoded';
/** What the SDK's transport (axios) asks for, so that Twilio sees the same request from either transport. */
const ACCEPT_ENCODING = 'gzip, compress, deflate, br';

/** A request's query string ('' for none) and form body (undefined for none), encoded as the SDK encodes them. */
export interface EncodedRequest {
  query: string;
  body: string | undefined;
}

export interface DirectTransportOptions {
  timeoutMs: number;
  maxSockets: number;
  ca?: string;
}

/**
 * One API request on Node's http(s) client with the SDK's semantics (twilio/lib/base/RequestClient.js: headers, Basic
 * auth, `qs` repeat encoding, no redirects followed, every status answered, the body parsed as axios does), minus
 * axios's per-request work. Nothing is written before the request holds a connected socket (a new one has finished
 * its TLS handshake), so a failure before then is certainly "not sent" (RequestNotSentError) and can be retried,
 * where the SDK's transport could only say "maybe sent" for a timeout or a reset and leave the recipient unknown.
 */
export class DirectTransport {
  readonly #http: HttpAgent;
  readonly #https: HttpsAgent;
  readonly #timeoutMs: number;

  constructor(options: DirectTransportOptions) {
    const pool = {
      keepAlive: true,
      timeout: options.timeoutMs,
      maxSockets: options.maxSockets,
      maxTotalSockets: options.maxSockets,
      maxFreeSockets: options.maxSockets,
    };
    // As the SDK does: an explicit CA first, else the bundle TWILIO_CA_BUNDLE names.
    const bundle = process.env['TWILIO_CA_BUNDLE'];
    const ca = options.ca ?? (bundle === undefined ? undefined : readFileSync(bundle));
    this.#http = new HttpAgent(pool);
    this.#https = new HttpsAgent(ca === undefined ? pool : { ...pool, ca });
    this.#timeoutMs = options.timeoutMs;
  }

  /**
   * The request's query and form body as the SDK would encode them, or undefined when this transport cannot send
   * `opts` exactly as the SDK would (the SDK's transport must then). Encoded once, here, for both the check and the send.
   */
  static encode(opts: RequestClient.RequestOptions<unknown>): EncodedRequest | undefined {
    const type = opts.headers?.['Content-Type'];
    if (opts.allowRedirects === true || opts.logLevel === 'debug') return undefined;
    const hasData = opts.data !== undefined && opts.data !== null;
    if (hasData && type === 'application/json') return undefined;
    const query = opts.params === undefined ? '' : encodeForm(opts.params);
    if (query === undefined) return undefined;
    if (!hasData || type !== FORM) return { query, body: undefined };
    const body = encodeForm(opts.data as object);
    return body === undefined ? undefined : { query, body };
  }

  /**
   * `beforeWrite`, when given, is awaited on the connected socket right before the request is written; if it throws,
   * nothing is written and the request fails with its error (a RequestNotSentError wraps any but a `NotWritten`).
   * `afterWrite`, when given, is called once the whole request has been handed to the operating system (the
   * request's `finish`), which sends it even if this process dies next; whatever becomes of the answer.
   */
  async request<TData>(
    opts: RequestClient.RequestOptions<TData>,
    encoded: EncodedRequest,
    uri: string,
    beforeWrite?: () => Promise<void>,
    afterWrite?: () => void,
  ): Promise<HttpResponse.default<TData>> {
    const url = new URL(uri);
    const { query, body } = encoded;
    const path = `${url.pathname}${url.search}${query === '' ? '' : `${url.search === '' ? '?' : '&'}${query}`}`;
    const headers: Record<string, string> = { ...opts.headers };
    if (headers['Connection'] === undefined && headers['connection'] === undefined)
      headers['Connection'] = 'keep-alive';
    headers['Accept-Encoding'] ??= ACCEPT_ENCODING;
    if (opts.username && opts.password) {
      headers['Authorization'] = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
    } else if (opts.authStrategy !== undefined) {
      headers['Authorization'] = await opts.authStrategy.getAuthString();
    }
    if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
    const timeoutMs = opts.timeout ?? this.#timeoutMs;
    const secure = url.protocol === 'https:';
    const request = (secure ? httpsRequest : httpRequest)({
      agent: secure ? this.#https : this.#http,
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port,
      path,
      method: opts.method.toUpperCase(),
      headers,
    });
    return exchange<TData>(request, body, timeoutMs, beforeWrite, afterWrite);
  }

  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}

async function exchange<TData>(
  request: ClientRequest,
  body: string | undefined,
  timeoutMs: number,
  beforeWrite: (() => Promise<void>) | undefined,
  afterWrite: (() => void) | undefined,
): Promise<HttpResponse.default<TData>> {
  // One listener for the request's whole life: an error while it waits for its socket must not go unhandled.
  let fail: (error: Error) => void = () => undefined;
  let failure: Error | undefined;
  request.on('error', (error) => {
    failure ??= error;
    fail(error);
  });
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
    if (failure !== undefined) reject(failure);
  });
  failed.catch(() => undefined);

  const connectTimer = setTimeout(() => request.destroy(timeoutError(timeoutMs)), timeoutMs);
  let socket: Socket;
  try {
    socket = await Promise.race([connectedSocket(request), failed]);
  } catch (error) {
    // Nothing is written before a connected socket is in hand, so a connection that timed out, was reset during
    // its TLS handshake or was refused cannot have carried the request: safe to retry, never "maybe sent".
    throw new RequestNotSentError(error, 'its connection could not be opened');
  } finally {
    clearTimeout(connectTimer);
  }
  if (beforeWrite !== undefined) {
    // Herald's own wait, not Twilio's: no idle timeout meanwhile.
    socket.setTimeout(0);
    try {
      await beforeWrite();
    } catch (error) {
      request.destroy();
      throw error instanceof NotWritten ? error : new RequestNotSentError(error, 'its last step before writing failed');
    }
    if (failure !== undefined || socket.destroyed || socket.readableEnded) {
      request.destroy();
      throw new RequestNotSentError(failure ?? new Error('closed'), 'its connection closed before it was written');
    }
  }
  request.setTimeout(timeoutMs, () => request.destroy(timeoutError(timeoutMs)));
  const answered = Promise.race([responseOf(request), failed]);
  if (afterWrite !== undefined) request.once('finish', afterWrite);
  request.end(body);
  const response = await answered;
  return { statusCode: response.statusCode, body: response.body as TData, headers: response.headers };
}

/**
 * Sockets this process has seen connected. A request that waited for a free socket gets one a previous request used,
 * but Node's agent does not mark it `reusedSocket`, and its connect event is long past.
 */
const connectedSockets = new WeakSet<Socket>();

/** The request's socket once it can carry bytes: a used one at once, a new one after its connect (TLS handshake). */
function connectedSocket(request: ClientRequest): Promise<Socket> {
  return new Promise((resolve) => {
    request.once('socket', (socket: Socket) => {
      const secure = socket instanceof TLSSocket;
      if (request.reusedSocket || connectedSockets.has(socket) || (!secure && !socket.connecting)) {
        connectedSockets.add(socket);
        resolve(socket);
        return;
      }
      // Nagle's algorithm would hold a new TLS connection's first request back until the server acknowledged what
      // the handshake had just sent (its delayed ACK, ~40 ms). Node's agents do not pass `noDelay` on to TLS sockets.
      socket.setNoDelay(true);
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        connectedSockets.add(socket);
        resolve(socket);
      });
    });
  });
}

interface Answer {
  statusCode: number;
  body: unknown;
  headers: IncomingMessage['headers'];
}

function responseOf(request: ClientRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    request.once('response', (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('error', reject);
      response.once('end', () => {
        try {
          const raw = decode(Buffer.concat(chunks), response.headers['content-encoding']);
          resolve({ statusCode: response.statusCode ?? 0, body: parseBody(raw), headers: response.headers });
        } catch (error) {
          reject(error);
        }
      });
    });
  });
}

/** The body as axios decodes it for the SDK: `compress` is read as zlib, as axios reads it. */
function decode(raw: Buffer, encoding: string | undefined): string {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
    case 'compress':
    case 'x-compress':
      return unzipSync(raw).toString('utf8');
    case 'deflate':
      return inflateSync(raw).toString('utf8');
    case 'br':
      return brotliDecompressSync(raw).toString('utf8');
    default:
      return raw.toString('utf8');
  }
}

/** As axios answers the SDK: the text without a BOM, parsed when it is JSON, else the text itself. */
function parseBody(text: string): unknown {
  const stripped = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (stripped === '') return stripped;
  try {
    return JSON.parse(stripped) as unknown;
  } catch {
    return stripped;
  }
}

/** axios's timeout error, which herald's classify reads as "may have been sent". */
function timeoutError(timeoutMs: number): Error {
  return Object.assign(new Error(`timeout of ${timeoutMs}ms exceeded`), { code: 'ECONNABORTED' });
}
