import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { nowMs } from './clock.js';
import { isFormContentType, parseForm } from './form.js';
import { type ApiRequest, type Handler, type Reply, replyError } from './pipeline.js';
import { matchRoute } from './route.js';
import type { TlsMaterial } from './tls.js';
import { makeTwilioError } from './twilio-error.js';

export interface ListenOptions {
  host: string;
  port: number;
  tls: TlsMaterial | undefined;
}

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** Far above any real create request (1,600 characters and ten URLs); a guard, not a Twilio rule. */
const MAX_BODY_BYTES = 1_048_576;
const TOO_LARGE = makeTwilioError(20422, 'Request body too large', 413);
const KEEP_ALIVE_MS = 65_000;
const INTERNAL_ERROR = makeTwilioError(20500);

/** Serves `handler` over HTTP, or HTTPS when given a certificate, until closed. */
export async function listen(handler: Handler, options: ListenOptions): Promise<RunningServer> {
  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    void answer(handler, request, response);
  };
  const server: Server =
    options.tls === undefined ? createHttpServer(onRequest) : createHttpsServer({ ...options.tls }, onRequest);
  // Outlive the clients' idle keep-alive sockets (Node's agents drop them after 5 s, the server's default
  // too): when the server closes first, a client reusing the socket at that moment gets ECONNRESET, which
  // herald would count as a transient Twilio failure that Twilio itself would not cause.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        // Keep-alive sockets held by clients (the SDK pools them) would otherwise keep close() waiting.
        server.closeAllConnections();
      }),
  };
}

async function answer(handler: Handler, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const receivedAt = nowMs();
  try {
    const body = await readBody(request);
    const reply = body === undefined ? replyError(TOO_LARGE) : await handler(toApiRequest(request, body, receivedAt));
    await writeReply(response, reply);
  } catch {
    if (!response.headersSent) await writeReply(response, replyError(INTERNAL_ERROR));
    else response.destroy();
  }
}

function toApiRequest(request: IncomingMessage, body: string, receivedAt: number): ApiRequest {
  const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
  return {
    method: request.method ?? 'GET',
    url,
    route: matchRoute(url.pathname),
    headers: request.headers,
    params: isFormContentType(request.headers['content-type']) ? parseForm(body) : {},
    text: body,
    remoteAddress: request.socket.remoteAddress,
    receivedAt,
  };
}

/**
 * The body as UTF-8 text, or undefined when it is over the size guard. An oversized body is still read to
 * its end (and dropped) so the connection stays usable for the answer.
 */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8');
}

async function writeReply(response: ServerResponse, reply: Reply): Promise<void> {
  if (reply.abort === true) {
    // A reset with nothing written: the client cannot tell whether its request was processed.
    response.destroy();
    return;
  }
  // Twilio tags every answer with a request id (the SDK exposes it through createWithHttpInfo).
  response.setHeader('Twilio-Request-Id', `RQ${randomBytes(16).toString('hex')}`);
  for (const [name, value] of Object.entries(reply.headers ?? {})) response.setHeader(name, value);
  if (reply.json === undefined && reply.chunks === undefined) {
    response.writeHead(reply.status).end();
    return;
  }
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  if (reply.chunks === undefined) {
    const text = JSON.stringify(reply.json);
    response.writeHead(reply.status, { 'Content-Length': Buffer.byteLength(text) }).end(text);
    return;
  }
  response.writeHead(reply.status);
  for (const chunk of reply.chunks) {
    if (response.destroyed) return;
    if (!response.write(chunk)) await waitForDrain(response);
  }
  response.end();
}

/** Resolves when the client can take more, or has gone away (then nothing more is written). */
function waitForDrain(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.once('drain', done);
    response.once('close', done);
  });
}
