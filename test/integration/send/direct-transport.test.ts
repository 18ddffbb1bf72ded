import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

import { classifyFailure } from '../../../src/send/classify.js';
import { NotWritten } from '../../../src/send/request-not-sent.js';
import {
  clientForSend,
  createTwilioClient,
  type HttpTransportKind,
  retryAfterOf,
  type TwilioClient,
} from '../../../src/send/twilio-client.js';
import { generateLoopbackCertificate } from '../../../src/sandbox/tls.js';

const ACCOUNT_SID = `AC${'d1ec'.repeat(8)}`;
const AUTH_TOKEN = 'direct-token-d1ec';
const SID = `SM${'ab'.repeat(16)}`;
const MESSAGE = { sid: SID, status: 'queued', num_segments: '1', num_media: '0', body: 'hi' };

interface Captured {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** performance.now() when the server read the request's head, and when its connection was accepted (and secured). */
  arrivedAt: number;
  connectedAt: number;
}

type Reply = (request: IncomingMessage, response: ServerResponse) => void;

interface Capture {
  url: string;
  captured: Captured[];
  connections: number;
  reply: Reply;
  server: Server;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };
};

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function startCapture(tls?: { key: string; cert: string }): Promise<Capture> {
  const capture = { captured: [] as Captured[], connections: 0, reply: json(201, MESSAGE) } as Capture;
  const connectedAt = new WeakMap<Socket, number>();
  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    const arrivedAt = performance.now();
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      capture.captured.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        arrivedAt,
        connectedAt: connectedAt.get(request.socket) ?? Number.NaN,
      });
      capture.reply(request, response);
    });
  };
  const server = tls === undefined ? createHttpServer(onRequest) : createHttpsServer(tls, onRequest);
  const watch = (socket: Socket): void => {
    capture.connections += 1;
    connectedAt.set(socket, performance.now());
  };
  server.on(tls === undefined ? 'connection' : 'secureConnection', watch);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  capture.server = server;
  capture.url = `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return capture;
}

function client(
  url: string,
  transport: HttpTransportKind,
  extra: { ca?: string; timeoutMs?: number; maxSockets?: number } = {},
): TwilioClient {
  return createTwilioClient({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    baseUrl: url,
    timeoutMs: extra.timeoutMs ?? 5000,
    maxSockets: extra.maxSockets ?? 2,
    transport,
    ...(extra.ca === undefined ? {} : { ca: extra.ca }),
  });
}

const caught = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

/** What must be the same on the wire whichever transport sent it. */
function wire(request: Captured): unknown {
  const { host, ...headers } = request.headers;
  return { method: request.method, url: request.url, headers, body: request.body, hostPresent: host !== undefined };
}

async function callsThrough(transport: HttpTransportKind, capture: Capture): Promise<void> {
  const twilio = client(capture.url, transport);
  capture.reply = json(201, MESSAGE);
  await twilio.messages.create({
    to: '+14155550199',
    from: '+14155550100',
    body: "Hé! it's (50% off)* ~ & = ? / 😀",
    mediaUrl: ['https://example.com/a.png?x=1&y=2', 'https://example.com/b c.jpg'],
    statusCallback: 'https://example.com/cb',
  });
  capture.reply = json(200, { messages: [MESSAGE], next_page_uri: null, page: 0, page_size: 2 });
  await twilio.messages.list({ to: '+14155550199', dateSentAfter: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), limit: 2 });
  capture.reply = json(200, MESSAGE);
  await twilio.messages(SID).fetch();
}

describe('the direct transport against the SDK’s own', () => {
  it('puts the same create, list and fetch requests on the wire', async () => {
    const capture = await startCapture();
    await callsThrough('sdk', capture);
    const viaSdk = capture.captured.splice(0);
    await callsThrough('direct', capture);
    const direct = capture.captured.splice(0);

    expect(viaSdk).toHaveLength(3);
    expect(direct.map(wire)).toEqual(viaSdk.map(wire));
    expect(direct[0]?.headers['accept-encoding']).toBe(viaSdk[0]?.headers['accept-encoding']);
    expect(direct[0]?.body).toContain('MediaUrl=https%3A%2F%2Fexample.com%2Fa.png%3Fx%3D1%26y%3D2&MediaUrl=');
  });

  it.each(['sdk', 'direct'] as const)('via %s: reads answers in every encoding it asks for', async (transport) => {
    const capture = await startCapture();
    const twilio = client(capture.url, transport);
    const encoders: Record<string, (body: Buffer) => Buffer> = {
      gzip: gzipSync,
      compress: deflateSync,
      deflate: deflateSync,
      br: brotliCompressSync,
    };
    for (const [encoding, encode] of Object.entries(encoders)) {
      capture.reply = (_request, response) => {
        response.writeHead(201, { 'content-type': 'application/json', 'content-encoding': encoding });
        response.end(encode(Buffer.from(JSON.stringify({ ...MESSAGE, body: encoding }))));
      };
      const message = await twilio.messages.create({ to: '+14155550199', from: '+14155550100', body: 'hi' });
      expect({ encoding, body: message.body, sid: message.sid }).toEqual({ encoding, body: encoding, sid: SID });
    }
  });

  it.each(['sdk', 'direct'] as const)('via %s: answers, errors and their classification', async (transport) => {
    const capture = await startCapture();
    const twilio = client(capture.url, transport, { timeoutMs: 300 });
    const create = () => twilio.messages.create({ to: '+14155550199', from: '+14155550100', body: 'hi' });

    capture.reply = json(201, MESSAGE);
    expect(await create()).toMatchObject({ sid: SID, status: 'queued', numSegments: '1' });

    capture.reply = json(400, {
      code: 21211,
      message: 'bad To',
      more_info: 'https://www.twilio.com/docs/errors/21211',
      status: 400,
    });
    expect(await caught(create())).toMatchObject({
      status: 400,
      code: 21211,
      message: 'bad To',
      moreInfo: 'https://www.twilio.com/docs/errors/21211',
    });

    capture.reply = json(503, { code: 20503, message: 'down' }, { 'retry-after': '7' });
    const unavailable = await caught(create());
    // The SDK's own exception, with Twilio's Retry-After, which its exceptions would otherwise drop.
    expect(unavailable).toMatchObject({ status: 503, code: 20503, message: 'down', retryAfterMs: 7000 });
    const retryAfterMs = retryAfterOf(unavailable);
    expect(classifyFailure(unavailable, retryAfterMs === undefined ? {} : { retryAfterMs })).toEqual({
      kind: 'retry',
      reason: 'Twilio unavailable (HTTP 503)',
      code: 20503,
      retryAfterMs: 7000,
    });

    capture.reply = (_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<html>bad gateway</html>');
    };
    expect(await caught(create())).toMatchObject({ status: 502, message: '[HTTP 502] Failed to execute request' });

    capture.reply = () => undefined;
    const timedOut = await caught(create());
    expect(timedOut).toMatchObject({ code: 'ECONNABORTED', message: 'timeout of 300ms exceeded' });
    expect(classifyFailure(timedOut).kind).toBe('unknown');

    capture.reply = (request) => request.socket.destroy();
    const reset = await caught(create());
    expect(reset).toMatchObject({ code: 'ECONNRESET' });
    expect(classifyFailure(reset).kind).toBe('unknown');

    const port = Number(new URL(capture.url).port);
    capture.server.closeAllConnections();
    await new Promise<void>((resolve) => capture.server.close(() => resolve()));
    const refused = await caught(
      client(`http://127.0.0.1:${port}`, transport).messages.create({
        to: '+14155550199',
        from: '+14155550100',
        body: 'hi',
      }),
    );
    // Both read as not sent; the direct transport says so for any failure before it had a connection.
    expect(classifyFailure(refused).kind).toBe('retry');
    if (transport === 'sdk') expect(refused).toMatchObject({ code: 'ECONNREFUSED' });
    else expect(refused).toMatchObject({ code: 'ENOTSENT', message: expect.stringContaining('ECONNREFUSED') });
  });

  it('direct: a connection whose TLS handshake never completes times out as not sent', async () => {
    // Accepts TCP and never answers the ClientHello: nothing of the request can have been written.
    const accepted: Socket[] = [];
    const silent = createNetServer((socket) => {
      accepted.push(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const error = await caught(
        client(`https://127.0.0.1:${port}`, 'direct', { timeoutMs: 300 }).messages.create({
          to: '+14155550199',
          from: '+14155550100',
          body: 'hi',
        }),
      );
      expect(error).toMatchObject({ code: 'ENOTSENT', message: expect.stringContaining('timeout of 300ms') });
      expect(classifyFailure(error).kind).toBe('retry');
    } finally {
      for (const socket of accepted) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('the direct transport’s connections', () => {
  it('writes a request only on a connection whose TLS handshake is done', async () => {
    const tls = await generateLoopbackCertificate();
    const capture = await startCapture(tls);
    const twilio = client(capture.url, 'direct', { ca: tls.cert });
    for (let index = 0; index < 2; index++) {
      await twilio.messages.create({ to: '+14155550199', from: '+14155550100', body: 'hi' });
    }

    expect(capture.connections).toBe(1);
    expect(capture.captured).toHaveLength(2);
    for (const request of capture.captured) expect(request.arrivedAt).toBeGreaterThanOrEqual(request.connectedAt);
  });

  it('sends more requests at once than it has sockets: those that waited go on a used connection', async () => {
    const tls = await generateLoopbackCertificate();
    const capture = await startCapture(tls);
    const twilio = client(capture.url, 'direct', { ca: tls.cert, timeoutMs: 2000 });
    const numbers = Array.from({ length: 5 }, (_, index) => `+1415555018${index}`);
    await Promise.all(numbers.map((to) => twilio.messages.create({ to, from: '+14155550100', body: 'hi' })));

    // The client's pool holds two sockets (see client()): three requests waited for one of them.
    expect(capture.connections).toBe(2);
    expect(capture.captured.map((request) => new URLSearchParams(request.body).get('To')).sort()).toEqual(numbers);
  });

  it.each(['direct', 'sdk'] as const)(
    'via %s: a send’s last step runs before its request is written, and can keep it from being written; the written step runs once it was',
    async (transport) => {
      const tls = transport === 'direct' ? await generateLoopbackCertificate() : undefined;
      const capture = await startCapture(tls);
      const shared = client(capture.url, transport, tls === undefined ? {} : { ca: tls.cert });
      const params = { to: '+14155550199', from: '+14155550100', body: 'hi' };
      let stepAt = 0;
      const writtenAt: number[] = [];
      const written = () => writtenAt.push(performance.now());
      const sent = await clientForSend(
        shared,
        async () => {
          // Held long enough that a request written before the step ended would arrive before it.
          await new Promise((resolve) => setTimeout(resolve, 50));
          stepAt = performance.now();
        },
        written,
      ).messages.create(params);
      expect(sent.sid).toBe(SID);
      expect(capture.captured).toHaveLength(1);
      expect(capture.captured[0]!.arrivedAt).toBeGreaterThanOrEqual(stepAt);
      if (transport === 'direct') expect(capture.captured[0]!.connectedAt).toBeLessThan(stepAt);
      // Once, after the step (the SDK's transport: as the request is handed to it); never for a request not written.
      expect(writtenAt).toHaveLength(1);
      expect(writtenAt[0]).toBeGreaterThanOrEqual(stepAt);

      const stopped = await caught(
        clientForSend(shared, () => Promise.reject(new NotWritten('the campaign is paused')), written).messages.create(
          params,
        ),
      );
      expect(stopped).toBeInstanceOf(NotWritten);
      const failed = await caught(
        clientForSend(shared, () => Promise.reject(new Error('CLUSTERDOWN')), written).messages.create(params),
      );
      expect(writtenAt).toHaveLength(1);
      expect(failed).toMatchObject({ code: 'ENOTSENT', message: expect.stringContaining('CLUSTERDOWN') });
      expect(classifyFailure(failed).kind).toBe('retry');
      // Neither was written, and the shared client still sends.
      expect(capture.captured).toHaveLength(1);
      await shared.messages.create(params);
      expect(capture.captured).toHaveLength(2);
    },
  );

  it('a connection closed before the request was written reads as not sent', async () => {
    // Accepts TCP and closes it at once: the TLS handshake fails, so nothing of the request was written.
    const closing = createNetServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => closing.listen(0, '127.0.0.1', resolve));
    const port = (closing.address() as AddressInfo).port;
    try {
      const error = await caught(
        client(`https://127.0.0.1:${port}`, 'direct').messages.create({
          to: '+14155550199',
          from: '+14155550100',
          body: 'hi',
        }),
      );
      expect(error).toMatchObject({ code: 'ENOTSENT', message: expect.stringContaining('could not be opened') });
      expect(classifyFailure(error).kind).toBe('retry');
    } finally {
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    }
  });
});
