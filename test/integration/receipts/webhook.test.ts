import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import twilio from 'twilio';

import type { CampaignName } from '../../../src/domain/campaign.js';
import type { E164 } from '../../../src/domain/e164.js';
import type { ReceiptEvent } from '../../../src/observe/send-events.js';
import { SendEvents } from '../../../src/observe/send-events.js';
import { type Keys, makeKeys } from '../../../src/store/keys.js';
import { Ledger } from '../../../src/store/ledger.js';
import { connectRedis } from '../../../src/queue/redis-connection.js';
import { statusCallbackUrl } from '../../../src/receipts/callback-url.js';
import { ReceiptStore } from '../../../src/receipts/receipt-store.js';
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
  events.on('receipt', (event) => seen.push(event));

  /** Posts a callback as Twilio does: form-encoded, signed over the URL herald handed it and every field. */
  const post = async (form: Record<string, string>, options: { signature?: string | null; campaign?: string } = {}) => {
    const name = (options.campaign ?? campaign) as CampaignName;
    const url = statusCallbackUrl(PUBLIC_URL, name);
    const signature =
      options.signature === undefined
        ? twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, url, form)
        : options.signature;
    const response = await fetch(`http://127.0.0.1:${server.port}/twilio/status/${name}`, {
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
      events,
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
    expect(seen.filter((event) => event.result === 'forbidden')).toHaveLength(4);
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
    expect((await fetch(`http://127.0.0.1:${server.port}/metrics`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${server.port}/twilio/status/${campaign}`)).status).toBe(405);
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
      events,
    });
    const form = callback(7, 'delivered');
    const signature = twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, statusCallbackUrl(PUBLIC_URL, campaign), form);
    const response = await fetch(`http://127.0.0.1:${offline.port}/twilio/status/${campaign}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(form).toString(),
    });
    await offline.close();
    expect(response.status).toBe(503);
    expect(await store.get(campaign, numberOf(7))).toBeUndefined();
  });
});
