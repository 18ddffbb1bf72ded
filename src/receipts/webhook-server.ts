import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import twilio from 'twilio';

import { parseReply } from '../compliance/parse-reply.js';
import type { ReplyEffect } from '../compliance/record-reply.js';
import type { IncomingReply } from '../compliance/parse-reply.js';
import type { ReceiptEvent, ReplyEvent, SendEvents, WebhookRejection } from '../observe/send-events.js';
import { repliesUrl, statusCallbackUrl } from './callback-url.js';
import { answerTwiml } from './twiml.js';
import { parseStatusCallback, type Receipt } from './parse-callback.js';
import type { RecordResult } from './receipt-store.js';
import { MAX_BODY_BYTES, screenRequest } from './screen-request.js';

export interface WebhookServerOptions {
  host: string;
  port: number;
  /** HERALD_PUBLIC_URL: the origin (and any path prefix and query) Twilio calls, which the signature covers. */
  publicUrl: string;
  /** The account's auth token, the key of X-Twilio-Signature. */
  authToken: string;
  record: (receipt: Receipt) => Promise<RecordResult>;
  /** Acts on a recipient's reply (opt-out, opt-in, WhatsApp session). */
  recordReply: (reply: IncomingReply) => Promise<ReplyEffect>;
  /** HERALD_HELP_REPLY: the answer to HELP, or undefined to answer nothing. */
  helpReply: string | undefined;
  events: SendEvents;
  /** Most connections open at once; further ones are closed as they arrive. */
  maxConnections: number;
  /** Deadlines, shorter in tests; the defaults suit Twilio. */
  timeouts?: Partial<WebhookTimeouts>;
}

export interface WebhookTimeouts {
  /** From connecting to the end of the headers. */
  headersMs: number;
  /** From connecting to the end of the whole request. */
  requestMs: number;
  /** A connection with nothing moving on it for this long is closed (an open request included). */
  idleMs: number;
}

/** Twilio sends a callback in one go, from a data centre: seconds are plenty, and a client taking longer is cut off. */
const DEFAULT_TIMEOUTS: WebhookTimeouts = { headersMs: 10_000, requestMs: 15_000, idleMs: 20_000 };

export interface WebhookServer {
  port: number;
  close(): Promise<void>;
}

/** Request line and headers: Twilio's are well under 1 KiB, a proxy's additions included. */
const MAX_HEADER_BYTES = 8 * 1024;
/** How often Node checks the two request deadlines (its default, 30 s, would let them run over by as much). */
const TIMEOUT_CHECK_MS = 500;

/**
 * Serves Twilio's message status callbacks at `…/twilio/campaigns/<campaign>/status` and its incoming-message
 * webhook at `…/twilio/replies`, answered with TwiML (a HELP reply's text, else nothing). What one client and all of
 * them together can make it hold is bounded: a request is screened before its body is read (screen-request.ts), a
 * body is read only up to a callback's largest size, requests have deadlines, and connections beyond
 * `maxConnections` are closed at once. A callback is recorded only when its X-Twilio-Signature verifies against the
 * URL herald gave Twilio (or told the operator to configure); one Redis could not take is answered 503 so that Twilio tries it again. Every refused
 * request is reported as a `webhook:rejected` event, with its reason, for the metrics and the rate-bounded log.
 */
export function startWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const reportReceipt = (event: ReceiptEvent) => options.events.emit('receipt', event);
  const reportReply = (event: ReplyEvent) => options.events.emit('reply', event);
  const rejectOn = (socket: Socket | undefined, reason: WebhookRejection) =>
    options.events.emit('webhook:rejected', {
      reason,
      ...(socket?.remoteAddress === undefined ? {} : { remote: socket.remoteAddress }),
    });

  const server: Server = createServer(
    {
      maxHeaderSize: MAX_HEADER_BYTES,
      requestTimeout: timeouts.requestMs,
      headersTimeout: timeouts.headersMs,
      connectionsCheckingInterval: TIMEOUT_CHECK_MS,
    },
    (request, response) => {
      const reply = (status: number, text = '', close = false) => {
        response.writeHead(status, { 'content-type': 'text/plain', ...(close ? { connection: 'close' } : {}) });
        response.end(text === '' ? '' : `${text}\n`);
      };
      const screened = screenRequest(request);
      if (!screened.ok) {
        rejectOn(request.socket, screened.reason);
        // The body is never read: the connection closes after the answer instead of draining it.
        return reply(screened.status, screened.text, true);
      }
      const { target, signature } = screened;
      const signedUrl =
        target.kind === 'reply' ? repliesUrl(options.publicUrl) : statusCallbackUrl(options.publicUrl, target.campaign);
      void readForm(request).then(async (form) => {
        if (form === 'too-large') {
          rejectOn(request.socket, 'too-large');
          return reply(413, 'body too large', true);
        }
        // Cut off: by the client, or by a deadline (counted where it was enforced).
        if (form === 'unreadable') return reply(400, '', true);
        // The URL Twilio signed is the one herald handed it, not the one this request arrived at behind a proxy.
        if (!twilio.validateRequest(options.authToken, signature, signedUrl, form)) {
          rejectOn(request.socket, 'signature');
          return reply(403, 'invalid X-Twilio-Signature');
        }
        if (target.kind === 'reply') return answerReply(form, response);
        const { campaign } = target;
        const parsed = parseStatusCallback(campaign, form);
        if (!parsed.ok) {
          reportReceipt({ campaign, result: parsed.ignore ? 'ignored' : 'invalid', reason: parsed.reason });
          return reply(parsed.ignore ? 204 : 400, parsed.ignore ? '' : parsed.reason);
        }
        const { receipt } = parsed;
        const base = { campaign, sid: receipt.sid, status: receipt.status, code: receipt.code };
        try {
          const result = await options.record(receipt);
          reportReceipt({ ...base, channel: receipt.channel, result });
          reply(204);
        } catch (error) {
          reportReceipt({
            ...base,
            result: 'unavailable',
            reason: error instanceof Error ? error.message : String(error),
          });
          reply(503, 'could not record the status; try again');
        }
      });
    },
  );

  /** Records a signed reply and answers it: TwiML with the help text for HELP, an empty TwiML otherwise. */
  async function answerReply(form: Record<string, string>, response: ServerResponse): Promise<void> {
    const parsed = parseReply(form);
    if (!parsed.ok) {
      reportReply({ result: 'invalid', intent: 'unknown', reason: parsed.reason });
      response.writeHead(400, { 'content-type': 'text/plain' });
      return void response.end(`${parsed.reason}\n`);
    }
    const { reply } = parsed;
    const base = {
      intent: reply.intent,
      sid: reply.sid,
      sender: reply.to,
      channel: reply.whatsapp ? ('whatsapp' as const) : ('sms' as const),
    };
    try {
      const effect = await options.recordReply(reply);
      reportReply({ ...base, result: 'recorded', effect });
    } catch (error) {
      reportReply({ ...base, result: 'unavailable', reason: error instanceof Error ? error.message : String(error) });
      response.writeHead(503, { 'content-type': 'text/plain' });
      return void response.end('could not record the reply; try again\n');
    }
    response.writeHead(200, { 'content-type': 'text/xml' });
    response.end(answerTwiml(reply.intent === 'help' ? options.helpReply : undefined));
  }

  server.maxConnections = options.maxConnections;
  server.on('drop', () => options.events.emit('webhook:rejected', { reason: 'connections' }));
  // A kept-alive connection idle after its answer (as Twilio leaves them) is closed quietly, after Node's keep-alive
  // timeout or the idle timeout if that is shorter; one idle in the middle of a request is a client too slow,
  // refused and counted.
  server.keepAliveTimeout = Math.min(server.keepAliveTimeout, timeouts.idleMs);
  const answered = new WeakSet<Socket>();
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const { socket } = request;
    answered.delete(socket);
    response.once('finish', () => answered.add(socket));
  });
  server.setTimeout(timeouts.idleMs, (socket: Socket) => {
    if (!answered.has(socket)) rejectOn(socket, 'timeout');
    socket.destroy();
  });
  // A request that cannot be parsed, has headers over the limit or missed its deadline: Node hands it here.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const timeout = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    rejectOn(socket, timeout ? 'timeout' : tooLarge ? 'too-large' : 'malformed');
    if (socket.writable) {
      const status = timeout
        ? '408 Request Timeout'
        : tooLarge
          ? '431 Request Header Fields Too Large'
          : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    }
    socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** The form fields of a urlencoded body, read up to the size a callback can have. */
async function readForm(request: IncomingMessage): Promise<Record<string, string> | 'too-large' | 'unreadable'> {
  let size = 0;
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return 'too-large';
      chunks.push(chunk);
    }
  } catch {
    return 'unreadable';
  }
  // Status callbacks never repeat a field; the last value wins if one did (and then fails the signature).
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}
