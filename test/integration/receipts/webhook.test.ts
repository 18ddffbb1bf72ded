import { connect, type Socket } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import twilio from 'twilio';

import type { CampaignName } from '../../../src/domain/campaign.js';
import type { E164 } from '../../../src/domain/e164.js';
import type { ReceiptEvent, WebhookRejection } from '../../../src/observe/send-events.js';
import { SendEvents } from '../../../src/observe/send-events.js';
import { type Keys, makeKeys } from '../../../src/store/keys.js';
import { Ledger } from '../../../src/store/ledger.js';
import { connectRedis } from '../../../src/redis/redis-connection.js';
import { statusCallbackUrl } from '../../../src/receipts/callback-url.js';
import type { Receipt } from '../../../src/receipts/parse-callback.js';
import { ReceiptStore } from '../../../src/receipts/receipt-store.js';
import { MAX_BODY_BYTES } from '../../../src/receipts/screen-request.js';
import { startWebhookServer, type WebhookServer } from '../../../src/receipts/webhook-server.js';
import { deleteKeys, TEST_AUTH_TOKEN, testRedisUrl, uniquePrefix } from '../../helpers/stack.js';

const PUBLIC_URL = 'https://herald.example.com/hooks';
const campaign = 'receipts-1' as CampaignName;
const sidOf = (n: number, kind = 'SM') => `${kind}${n.toString(16).padStart(32, '0')}`;
const numberOf = (n: number) => `+1415555${String(7000 + n)}` as E164;

describe('status webhook', () => {
  let connection: Redis;
  let keys: Keys;
  let store: ReceiptStore;
  let server: WebhookServer;
  const events = new SendEvents();
  const seen: ReceiptEvent[] = [];
  const rejected: WebhookRejection[] = [];
  events.on('receipt', (event) => seen.push(event));
  events.on('webhook:rejected', ({ reason }) => rejected.push(reason));

  /** Posts a callback as Twilio does: form-encoded, signed over the URL herald handed it and every field. */
  const post = async (form: Record<string, string>, options: { signature?: string | null; campaign?: string } = {}) => {
    const name = (options.campaign ?? campaign) as CampaignName;
    const url = statusCallbackUrl(PUBLIC_URL, name);
    const signature =
      options.signature === undefined
        ? twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, url, form)
        : options.signature;
    // The path as a reverse proxy in front of the worker passes it on: without HERALD_PUBLIC_URL's own prefix.
    const response = await fetch(`http://127.0.0.1:${server.port}/twilio/campaigns/${name}/status`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(signature === null ? {} : { 'x-twilio-signature': signature }),
      },
      body: new URLSearchParams(form).toString(),
    });
    return response.status;
  };
  const callback = (n: number, status: string, extra: Record<string, string> = {}) => ({
    AccountSid: `AC${'7e57'.repeat(8)}`,
    MessageSid: sidOf(n, extra['kind'] ?? 'SM'),
    SmsSid: sidOf(n, extra['kind'] ?? 'SM'),
    MessageStatus: status,
    SmsStatus: status,
    To: extra['to'] ?? numberOf(n),
    From: '+14155550100',
    ApiVersion: '2010-04-01',
    ...(extra['code'] === undefined ? {} : { ErrorCode: extra['code'] }),
  });
  const counts = async () => connection.hgetall(keys.counts(campaign));

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('receipts'));
    store = new ReceiptStore(connection, keys);
    const ledger = new Ledger(connection, keys);
    // Recipients 1–9 were sent (SMS, 9 on WhatsApp), 10 is still in flight, 11 failed at create.
    const entries = Array.from({ length: 11 }, (_, i) => ({
      to: numberOf(i + 1),
      senderId: 'p14155550100',
      channel: i + 1 === 9 ? ('whatsapp' as const) : ('sms' as const),
    }));
    await ledger.claim(campaign, entries);
    for (let n = 1; n <= 9; n++) {
      await ledger.settle(campaign, numberOf(n), entries[n - 1]!.channel, { state: 'sent', sid: sidOf(n) });
    }
    await ledger.begin(campaign, numberOf(10), 'job/1');
    await ledger.settle(campaign, numberOf(11), 'sms', { state: 'failed', code: '21610' });
    server = await startWebhookServer({
      host: '127.0.0.1',
      port: 0,
      publicUrl: PUBLIC_URL,
      authToken: TEST_AUTH_TOKEN,
      record: (receipt) => store.record(receipt),
      recordReply: async () => 'counted',
      helpReply: undefined,
      events,
      maxConnections: 16,
    });
  });

  afterAll(async () => {
    await server.close();
    await deleteKeys(connection, keys.prefix);
    await connection.quit();
  });

  it('answers 403 to a missing, wrong or misplaced signature and records nothing', async () => {
    expect(await post(callback(1, 'delivered'), { signature: null })).toBe(403);
    expect(await post(callback(1, 'delivered'), { signature: 'bm90IGEgc2lnbmF0dXJl' })).toBe(403);
    // Signed for another campaign's URL, posted to this one's: the path is covered by the signature.
    const form = callback(1, 'delivered');
    const signature = twilio.getExpectedTwilioSignature(
      TEST_AUTH_TOKEN,
      statusCallbackUrl(PUBLIC_URL, 'other' as CampaignName),
      form,
    );
    expect(await post(form, { signature })).toBe(403);
    // A field changed after signing.
    const signed = twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, statusCallbackUrl(PUBLIC_URL, campaign), form);
    expect(await post({ ...form, MessageStatus: 'undelivered', ErrorCode: '30003' }, { signature: signed })).toBe(403);
    expect(await connection.exists(keys.receipts(campaign))).toBe(0);
    expect((await counts())['delivered']).toBeUndefined();
    expect(rejected).toEqual(['unsigned', 'unsigned', 'signature', 'signature']);
    expect(seen).toEqual([]);
  });

  it('moves status only forward and counts each recipient once, however callbacks repeat or cross', async () => {
    expect(await post(callback(1, 'sent'))).toBe(204);
    expect(await post(callback(1, 'delivered'))).toBe(204);
    expect(await post(callback(1, 'delivered'))).toBe(204); // Twilio retried
    expect(await post(callback(1, 'sent'))).toBe(204); // arrived late
    expect(await post(callback(2, 'delivered'))).toBe(204); // its sent never came
    expect(await post(callback(2, 'sending'))).toBe(204);
    expect(await store.get(campaign, numberOf(1))).toEqual({ status: 'delivered', code: 'none', sid: sidOf(1) });
    expect(await store.get(campaign, numberOf(2))).toMatchObject({ status: 'delivered' });
    expect(await counts()).toMatchObject({ delivered: '2', 'delivered:sms': '2' });
  });

  it('records undelivered and failed with their codes, and nothing after them', async () => {
    expect(await post(callback(3, 'undelivered', { code: '30003' }))).toBe(204);
    expect(await post(callback(3, 'delivered'))).toBe(204);
    expect(await post(callback(4, 'sent'))).toBe(204);
    expect(await post(callback(4, 'failed', { code: '30007' }))).toBe(204);
    expect(await post(callback(4, 'failed', { code: '30007' }))).toBe(204);
    expect(await store.get(campaign, numberOf(3))).toEqual({ status: 'undelivered', code: '30003', sid: sidOf(3) });
    expect(await store.get(campaign, numberOf(4))).toEqual({ status: 'failed', code: '30007', sid: sidOf(4) });
    expect(await counts()).toMatchObject({
      delivered: '2',
      undelivered: '2',
      'undelivered:sms': '2',
      'undelivered:sms:30003': '1',
      'undelivered:sms:30007': '1',
    });
  });

  it('takes WhatsApp read as delivered too, whichever of the two arrives first', async () => {
    const to = `whatsapp:${numberOf(9)}`;
    expect(await post(callback(9, 'read', { to }))).toBe(204);
    expect(await post(callback(9, 'delivered', { to }))).toBe(204);
    expect(await store.get(campaign, numberOf(9))).toMatchObject({ status: 'read' });
    expect(await counts()).toMatchObject({ delivered: '3', 'delivered:whatsapp': '1', 'read:whatsapp': '1' });
  });

  it('acknowledges, without recording, callbacks for other recipients, other messages and untracked statuses', async () => {
    const before = await counts();
    expect(await post(callback(99, 'delivered'))).toBe(204); // not in the campaign
    expect(await post({ ...callback(5, 'delivered'), MessageSid: sidOf(555), SmsSid: sidOf(555) })).toBe(204);
    expect(await post(callback(11, 'delivered'))).toBe(204); // failed at create: no message exists
    expect(await post(callback(6, 'received'))).toBe(204);
    expect(await post({ MessageStatus: 'sent' })).toBe(400);
    expect(await counts()).toEqual(before);
    expect(seen.slice(-5).map((event) => event.result)).toEqual([
      'unknown-recipient',
      'other-message',
      'other-message',
      'ignored',
      'invalid',
    ]);
    // In flight: the callback beat the create's answer; Twilio's word is taken.
    expect(await post(callback(10, 'delivered'))).toBe(204);
    expect(seen.at(-1)?.result).toBe('recorded');
  });

  it('answers 404 off the callback path and 405 to other methods', async () => {
    rejected.length = 0;
    expect((await fetch(`http://127.0.0.1:${server.port}/metrics`)).status).toBe(404);
    // A path with the campaign last, which a signature cannot tell from another campaign's (see the next test).
    const campaignLast = await fetch(`http://127.0.0.1:${server.port}/twilio/status/${campaign}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=b',
    });
    expect(campaignLast.status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${server.port}/twilio/campaigns/${campaign}/status`)).status).toBe(405);
    expect(rejected).toEqual(['not-found', 'not-found', 'method']);
  });

  it('accepts no callback signed for one campaign on another, however its parameters are renamed', async () => {
    // Twilio signs the URL followed by every name and value: with the campaign last in the path, a callback for
    // promo-2 would sign the same text as one for promo whose first parameter is called -2AccountSid.
    const form = callback(1, 'delivered');
    const longer = 'receipts-1-2' as CampaignName;
    const signature = twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, statusCallbackUrl(PUBLIC_URL, longer), form);
    const { AccountSid, ...rest } = form;
    const slid = { '-2AccountSid': AccountSid, ...rest };
    const campaignLast = (name: string) => `${PUBLIC_URL}/twilio/status/${name}`;
    // The premise: with the campaign last in the path, the renamed form verifies for the shorter campaign.
    const lastSignature = twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, campaignLast(longer), form);
    expect(twilio.validateRequest(TEST_AUTH_TOKEN, lastSignature, campaignLast(campaign), slid)).toBe(true);
    rejected.length = 0;
    expect(await post(slid, { signature })).toBe(403);
    expect(rejected).toEqual(['signature']);
    expect(await store.get(campaign, numberOf(1))).toEqual({ status: 'delivered', code: 'none', sid: sidOf(1) });
  });

  it('refuses before reading the body what cannot be a callback: too large, not a form, unsigned', async () => {
    rejected.length = 0;
    const url = `http://127.0.0.1:${server.port}/twilio/campaigns/${campaign}/status`;
    const form = 'content-type: application/x-www-form-urlencoded';
    // A declared length over the limit is answered at once; the 1 MB never has to be sent.
    const big = await rawRequest(
      server.port,
      `POST /twilio/campaigns/${campaign}/status HTTP/1.1\r\nhost: x\r\n${form}\r\ncontent-length: 1048576\r\nx-twilio-signature: ${'A'.repeat(27)}=\r\n\r\n`,
    );
    expect(big).toMatch(/^HTTP\/1\.1 413 /);
    const json = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(415);
    const unsigned = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=b',
    });
    expect(unsigned.status).toBe(403);
    // No declared length (chunked): read up to the limit, then refused.
    const chunked = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': `${'A'.repeat(27)}=` },
      body: new Blob([new Uint8Array(MAX_BODY_BYTES + 1).fill(97)]).stream(),
      duplex: 'half',
    } as RequestInit).then(
      (response) => response.status,
      () => 'cut off',
    );
    expect([413, 'cut off']).toContain(chunked);
    const headers = await rawRequest(server.port, `GET / HTTP/1.1\r\nhost: x\r\nx-pad: ${'p'.repeat(9000)}\r\n\r\n`);
    expect(headers).toMatch(/^HTTP\/1\.1 431 /);
    expect(rejected).toEqual(['too-large', 'media-type', 'unsigned', 'too-large', 'too-large']);
  });

  it('answers 503 when Redis cannot take the receipt, so that Twilio sends it again', async () => {
    const probe = await connectRedis(testRedisUrl(), { role: 'probe' });
    probe.disconnect();
    const offline = await startWebhookServer({
      host: '127.0.0.1',
      port: 0,
      publicUrl: PUBLIC_URL,
      authToken: TEST_AUTH_TOKEN,
      record: (receipt) => new ReceiptStore(probe, keys).record(receipt),
      recordReply: async () => 'counted',
      helpReply: undefined,
      events,
      maxConnections: 16,
    });
    const form = callback(7, 'delivered');
    const signature = twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, statusCallbackUrl(PUBLIC_URL, campaign), form);
    const response = await fetch(`http://127.0.0.1:${offline.port}/twilio/campaigns/${campaign}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(form).toString(),
    });
    await offline.close();
    expect(response.status).toBe(503);
    expect(await store.get(campaign, numberOf(7))).toBeUndefined();
  });
});

/**
 * Writes `text` on a new connection and resolves with what the server answered before it closed the connection
 * (nothing, when it was reset).
 */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', () => undefined);
  });
}

describe('status webhook under abuse', () => {
  const events = new SendEvents();
  const rejected: WebhookRejection[] = [];
  const recorded: Receipt[] = [];
  events.on('webhook:rejected', ({ reason }) => rejected.push(reason));
  let server: WebhookServer;
  // A gateway in front of the workers that routes on a query parameter.
  const publicUrl = 'https://herald.example.com/hooks?tenant=7';

  beforeAll(async () => {
    server = await startWebhookServer({
      host: '127.0.0.1',
      port: 0,
      publicUrl,
      authToken: TEST_AUTH_TOKEN,
      record: async (receipt) => {
        recorded.push(receipt);
        return 'recorded';
      },
      recordReply: async () => 'counted',
      helpReply: undefined,
      events,
      maxConnections: 4,
      timeouts: { headersMs: 300, requestMs: 600, idleMs: 1000 },
    });
  });
  afterAll(() => server.close());

  it('takes callbacks at the URL it gave Twilio, the public URL’s query string kept at its end', async () => {
    const url = statusCallbackUrl(publicUrl, campaign);
    expect(url).toBe(`https://herald.example.com/hooks/twilio/campaigns/${campaign}/status?tenant=7`);
    const form = { MessageSid: sidOf(1), MessageStatus: 'delivered', To: numberOf(1), AccountSid: 'AC1' };
    const response = await fetch(`http://127.0.0.1:${server.port}/hooks/twilio/campaigns/${campaign}/status?tenant=7`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, url, form),
      },
      body: new URLSearchParams(form).toString(),
    });
    expect(response.status).toBe(204);
    expect(recorded.map((receipt) => receipt.sid)).toEqual([sidOf(1)]);
  });

  it('closes a kept-alive connection idle after its answer without counting it refused', async () => {
    rejected.length = 0;
    const url = statusCallbackUrl(publicUrl, campaign);
    const form = { MessageSid: sidOf(2), MessageStatus: 'delivered', To: numberOf(2), AccountSid: 'AC1' };
    const body = new URLSearchParams(form).toString();
    const signature = twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, url, form);
    const socket = connect(server.port, '127.0.0.1');
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.write(
      `POST /hooks/twilio/campaigns/${campaign}/status?tenant=7 HTTP/1.1\r\nhost: x\r\nconnection: keep-alive\r\n` +
        `content-type: application/x-www-form-urlencoded\r\ncontent-length: ${body.length}\r\n` +
        `x-twilio-signature: ${signature}\r\n\r\n${body}`,
    );
    // The server closes it once it has been idle for its idle timeout (1 s here).
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 204 /);
    expect(rejected).toEqual([]);
  });

  it('cuts off a client that is too slow to send its headers or its body', async () => {
    rejected.length = 0;
    const head = `POST /twilio/campaigns/${campaign}/status HTTP/1.1\r\nhost: x\r\n`;
    // Headers never finished; then a body that stops half-way.
    const slowHeaders = await rawRequest(server.port, head);
    const slowBody = await rawRequest(
      server.port,
      `${head}content-type: application/x-www-form-urlencoded\r\ncontent-length: 100\r\nx-twilio-signature: ${'A'.repeat(27)}=\r\n\r\nTo=`,
    );
    expect(slowHeaders).toMatch(/^HTTP\/1\.1 408 /);
    expect(slowBody === '' || /^HTTP\/1\.1 (408|400) /.test(slowBody)).toBe(true);
    expect(rejected).toEqual(['timeout', 'timeout']);
  });

  it('closes connections beyond its limit as they arrive', async () => {
    rejected.length = 0;
    const held = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Promise<Socket>((resolve) => {
            const socket = connect(server.port, '127.0.0.1', () => resolve(socket));
          }),
      ),
    );
    // The server accepts connections in the order they arrive, so the four are counted before this one.
    const extra = await rawRequest(server.port, 'GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    expect(extra).toBe('');
    expect(rejected).toContain('connections');
    for (const socket of held) socket.destroy();
  });
});
