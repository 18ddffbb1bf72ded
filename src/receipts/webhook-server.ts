import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import twilio from 'twilio';

import type { ReceiptEvent, SendEvents } from '../observe/send-events.js';
import { campaignOfPath, statusCallbackUrl } from './callback-url.js';
import { parseStatusCallback, type Receipt } from './parse-callback.js';
import type { RecordResult } from './receipt-store.js';

export interface WebhookServerOptions {
  host: string;
  port: number;
  /** HERALD_PUBLIC_URL: the origin (and any path prefix) Twilio calls, which the signature covers. */
  publicUrl: string;
  /** The account's auth token, the key of X-Twilio-Signature. */
  authToken: string;
  record: (receipt: Receipt) => Promise<RecordResult>;
  events: SendEvents;
}

export interface WebhookServer {
  port: number;
  close(): Promise<void>;
}

/** Twilio's callbacks are a few hundred bytes; anything far larger is not one. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * Serves Twilio's message status callbacks at `…/twilio/status/<campaign>`. A callback is recorded only when its
 * X-Twilio-Signature verifies against the URL herald gave Twilio (403 otherwise, with nothing read from Redis);
 * a callback Redis could not take is answered 503 so that Twilio tries it again.
 */
export function startWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  const report = (event: ReceiptEvent) => options.events.emit('receipt', event);
  const server: Server = createServer((request, response) => {
    const reply = (status: number, text = '') => {
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(text === '' ? '' : `${text}\n`);
    };
    const [path = '/', query] = (request.url ?? '/').split('?', 2);
    const campaign = campaignOfPath(path);
    if (campaign === undefined) return reply(404, 'not found: status callbacks go to /twilio/status/<campaign>');
    if (request.method !== 'POST') return reply(405, 'method not allowed');
    void readForm(request).then(
      async (form) => {
        if (form === undefined) return reply(413, 'body too large');
        const signature = request.headers['x-twilio-signature'];
        // The URL Twilio signed is the one herald handed it, not the one this request arrived at behind a proxy.
        const url = `${statusCallbackUrl(options.publicUrl, campaign)}${query === undefined ? '' : `?${query}`}`;
        if (typeof signature !== 'string' || !twilio.validateRequest(options.authToken, signature, url, form)) {
          report({ result: 'forbidden' });
          return reply(403, 'invalid X-Twilio-Signature');
        }
        const parsed = parseStatusCallback(campaign, form);
        if (!parsed.ok) {
          report({ campaign, result: parsed.ignore ? 'ignored' : 'invalid', reason: parsed.reason });
          return reply(parsed.ignore ? 204 : 400, parsed.ignore ? '' : parsed.reason);
        }
        const { receipt } = parsed;
        const base = { campaign, sid: receipt.sid, status: receipt.status, code: receipt.code };
        try {
          const result = await options.record(receipt);
          report({ ...base, channel: receipt.channel, result });
          reply(204);
        } catch (error) {
          report({ ...base, result: 'unavailable', reason: error instanceof Error ? error.message : String(error) });
          reply(503, 'could not record the status; try again');
        }
      },
      () => reply(400, 'could not read the request body'),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/** The form fields of a urlencoded body; undefined when it is larger than a callback can be. */
async function readForm(request: IncomingMessage): Promise<Record<string, string> | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  // Status callbacks never repeat a field; the last value wins if one did (and then fails the signature).
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}
