import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import twilio from 'twilio';

import { ReplyRecorder } from '../../../src/compliance/record-reply.js';
import type { E164 } from '../../../src/domain/e164.js';
import { type ReplyEvent, SendEvents, type WebhookRejection } from '../../../src/observe/send-events.js';
import { type Keys, makeKeys } from '../../../src/store/keys.js';
import { OptOutList } from '../../../src/compliance/opt-out-list.js';
import { connectRedis } from '../../../src/redis/redis-connection.js';
import { repliesUrl } from '../../../src/receipts/callback-url.js';
import { startWebhookServer, type WebhookServer } from '../../../src/receipts/webhook-server.js';
import { deleteKeys, TEST_AUTH_TOKEN, testRedisUrl, uniquePrefix } from '../../helpers/stack.js';

const PUBLIC_URL = 'https://herald.example.com/hooks?tenant=7';
const SENDER = '+14155550100';
const sidOf = (n: number) => `SM${n.toString(16).padStart(32, '0')}`;
const numberOf = (n: number) => `+1212555${String(1000 + n)}` as E164;
const HELP = 'Acme alerts: reply STOP to stop. Help: acme.com/sms & more';

describe('replies webhook', () => {
  let connection: Redis;
  let keys: Keys;
  let optOuts: OptOutList;
  let recorder: ReplyRecorder;
  let server: WebhookServer;
  const events = new SendEvents();
  const replies: ReplyEvent[] = [];
  const rejected: WebhookRejection[] = [];
  events.on('reply', (event) => replies.push(event));
  events.on('webhook:rejected', ({ reason }) => rejected.push(reason));

  /** Posts an incoming message as Twilio does: signed over the URL the operator configured and every field. */
  const post = async (n: number, body: string, extra: Record<string, string> = {}, signature?: string | null) => {
    const form = {
      AccountSid: `AC${'7e57'.repeat(8)}`,
      MessageSid: sidOf(n),
      From: numberOf(n),
      To: SENDER,
      Body: body,
      NumMedia: '0',
      ...extra,
    };
    const signed =
      signature === undefined
        ? twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, repliesUrl(PUBLIC_URL), form)
        : signature;
    const response = await fetch(`http://127.0.0.1:${server.port}/twilio/replies?tenant=7`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(signed === null ? {} : { 'x-twilio-signature': signed }),
      },
      body: new URLSearchParams(form).toString(),
    });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };

  const start = (helpReply: string | undefined) =>
    startWebhookServer({
      host: '127.0.0.1',
      port: 0,
      publicUrl: PUBLIC_URL,
      authToken: TEST_AUTH_TOKEN,
      record: async () => 'recorded',
      recordReply: (reply) => recorder.record(reply),
      helpReply,
      events,
      maxConnections: 16,
    });

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('replies'));
    optOuts = new OptOutList(connection, keys);
    recorder = new ReplyRecorder(connection, keys, optOuts);
    server = await start(HELP);
  });

  afterAll(async () => {
    await server.close();
    await deleteKeys(connection, keys.prefix);
    await connection.quit();
  });

  it('answers 403 to an unsigned or wrongly signed reply and records nothing', async () => {
    expect((await post(1, 'STOP', {}, null)).status).toBe(403);
    // Signed for a status callback's URL: the replies path is covered by the signature too.
    const form = { MessageSid: sidOf(1), From: numberOf(1), To: SENDER, Body: 'STOP' };
    const other = twilio.getExpectedTwilioSignature(
      TEST_AUTH_TOKEN,
      'https://herald.example.com/hooks/twilio/campaigns/x/status?tenant=7',
      form,
    );
    expect((await post(1, 'STOP', {}, other)).status).toBe(403);
    expect(await connection.exists(keys.optOuts)).toBe(0);
    expect(rejected).toEqual(['unsigned', 'signature']);
    expect(replies).toEqual([]);
  });

  it('records an opt-out with its words and sender, and START lifts it', async () => {
    const stop = await post(2, '  Stop please! ');
    expect(stop).toEqual({ status: 200, type: 'text/xml', text: '<?xml version="1.0" encoding="UTF-8"?><Response/>' });
    expect(await optOuts.recordOf(numberOf(2))).toEqual({
      at: expect.any(Number),
      source: 'reply',
      text: '  Stop please! ',
      sender: SENDER,
    });
    expect(await optOuts.whichOptedOut([numberOf(2), numberOf(3)])).toEqual([true, false]);
    expect((await post(2, 'start')).status).toBe(200);
    expect(await optOuts.has(numberOf(2))).toBe(false);
    // Twilio's own reading of the keyword wins over the text.
    await post(3, 'arrêt', { OptOutType: 'STOP' });
    expect(await optOuts.has(numberOf(3))).toBe(true);
    await post(3, 'oui', { OptOutType: 'START' });
    expect(await optOuts.has(numberOf(3))).toBe(false);
    expect(replies.slice(-4).map(({ intent, effect }) => `${intent}:${effect}`)).toEqual([
      'opt-out:opted-out',
      'opt-in:opted-in',
      'opt-out:opted-out',
      'opt-in:opted-in',
    ]);
    // No event carries the number that wrote or its words.
    expect(JSON.stringify(replies)).not.toMatch(/1212555|Stop please/);
  });

  it('answers HELP with the configured text as TwiML, or with nothing when none is set', async () => {
    const help = await post(4, 'HELP');
    expect(help.status).toBe(200);
    expect(help.text).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Acme alerts: reply STOP to stop. Help: acme.com/sms &#38; more</Message></Response>',
    );
    const silent = await start(undefined);
    try {
      const form = { MessageSid: sidOf(5), From: numberOf(5), To: SENDER, Body: 'help' };
      const response = await fetch(`http://127.0.0.1:${silent.port}/twilio/replies?tenant=7`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, repliesUrl(PUBLIC_URL), form),
        },
        body: new URLSearchParams(form).toString(),
      });
      expect(await response.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    } finally {
      await silent.close();
    }
    expect(replies.slice(-2).map(({ intent, result }) => `${intent}:${result}`)).toEqual([
      'help:recorded',
      'help:recorded',
    ]);
  });

  it('counts any other reply, records when a WhatsApp number last wrote, and refuses a form it cannot read', async () => {
    const before = await optOuts.now();
    expect((await post(6, 'can’t stop smiling')).status).toBe(200);
    expect(await optOuts.has(numberOf(6))).toBe(false);
    expect(await recorder.lastWroteAt(numberOf(6))).toBeUndefined();
    await post(7, 'Hi there', { From: `whatsapp:${numberOf(7)}`, To: `whatsapp:${SENDER}` });
    expect(await recorder.lastWroteAt(numberOf(7))).toBeGreaterThanOrEqual(before);
    expect(replies.slice(-2)).toEqual([
      { result: 'recorded', intent: 'other', effect: 'counted', sid: sidOf(6), sender: SENDER, channel: 'sms' },
      {
        result: 'recorded',
        intent: 'other',
        effect: 'counted',
        sid: sidOf(7),
        sender: `whatsapp:${SENDER}`,
        channel: 'whatsapp',
      },
    ]);
    expect((await post(8, 'STOP', { From: 'not a number' })).status).toBe(400);
    expect(replies.at(-1)).toEqual({ result: 'invalid', intent: 'unknown', reason: 'From is not an E.164 number' });
  });

  it('answers 503 when Redis cannot take the reply, so nothing is lost silently', async () => {
    const probe = await connectRedis(testRedisUrl(), { role: 'probe' });
    probe.disconnect();
    const offline = new ReplyRecorder(probe, keys, new OptOutList(probe, keys));
    const saved = recorder;
    recorder = offline;
    try {
      expect((await post(9, 'STOP')).status).toBe(503);
    } finally {
      recorder = saved;
    }
    expect(replies.at(-1)).toMatchObject({ result: 'unavailable', intent: 'opt-out' });
    expect(await optOuts.has(numberOf(9))).toBe(false);
  });
});
