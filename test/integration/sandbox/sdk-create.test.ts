import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import twilio from 'twilio';
import { createTwilioClient, type TwilioClient } from '../../../src/send/twilio-client.js';
import { type Sandbox, startSandbox } from '../../../src/sandbox/index.js';
import { listSchemaViolations } from '../../fixtures/sandbox/message-schema.js';

const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'sandbox-token-5f1e9c0d7a';
const FROM = '+14155550100';
const TO = '+14155550199';
const MG = `MG${'a'.repeat(32)}`;

let sandbox: Sandbox;
let client: TwilioClient;

beforeAll(async () => {
  sandbox = await startSandbox({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  client = connect(AUTH_TOKEN);
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  sandbox.reset();
});

/** What the SDK threw, so a test can assert on it; fails the test when nothing was thrown. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('create through the real SDK', () => {
  it('sends an SMS: SM sid, queued, segments counted, schema-shaped', async () => {
    const response = await client.messages.createWithHttpInfo({ to: TO, from: FROM, body: 'a'.repeat(161) });
    const message = response.body;
    expect(response.statusCode).toBe(201);
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message).toMatchObject({
      status: 'queued',
      numSegments: '2',
      numMedia: '0',
      direction: 'outbound-api',
      apiVersion: '2010-04-01',
      accountSid: ACCOUNT_SID,
      from: FROM,
      to: TO,
      price: null,
      errorCode: null,
      messagingServiceSid: null,
    });
    // The SDK only turns RFC 2822 `+0000` dates into Date objects.
    expect(message.dateCreated).toBeInstanceOf(Date);
    expect(Math.abs(message.dateCreated.getTime() - Date.now())).toBeLessThan(10_000);
    expect(message.subresourceUris).toEqual({
      media: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${message.sid}/Media.json`,
    });
    expect(response.headers['twilio-request-id']).toMatch(/^RQ[0-9a-f]{32}$/);
  });

  it('counts a UCS-2 body in 67-unit parts', async () => {
    const message = await client.messages.create({ to: TO, from: FROM, body: 'ж'.repeat(135) });
    expect(message.numSegments).toBe('3');
  });

  it('sends an MMS with an MM sid and the media count', async () => {
    const message = await client.messages.create({
      to: TO,
      from: FROM,
      body: 'look',
      mediaUrl: ['https://example.com/a.png', 'https://example.com/b.png', 'https://example.com/c.png'],
    });
    expect(message.sid).toMatch(/^MM[0-9a-f]{32}$/);
    expect(message).toMatchObject({ numMedia: '3', numSegments: '1' });
    expect(sandbox.requests()[0]?.params.MediaUrl).toEqual([
      'https://example.com/a.png',
      'https://example.com/b.png',
      'https://example.com/c.png',
    ]);
  });

  it('lists a message’s media at the URI the message links to, as the SDK reads it', async () => {
    const urls = ['https://example.com/a.png', 'https://example.com/menu.pdf?v=2'];
    const message = await client.messages.create({ to: TO, from: FROM, body: 'look', mediaUrl: urls });
    const media = await client.messages(message.sid).media.list();
    expect(media.map((item) => item.contentType)).toEqual(['image/png', 'application/pdf']);
    for (const item of media) {
      expect(item).toMatchObject({ accountSid: ACCOUNT_SID, parentSid: message.sid, dateCreated: message.dateCreated });
      expect(item.sid).toMatch(/^ME[0-9a-f]{32}$/);
      expect(item.uri).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${message.sid}/Media/${item.sid}.json`);
      expect(await client.messages(message.sid).media(item.sid).fetch()).toMatchObject({ sid: item.sid });
    }
    // The list is reached through the link in the message itself, as any client following it would.
    const linked = await fetch(`${sandbox.url}${message.subresourceUris['media'] as string}`, {
      headers: { Authorization: basic(ACCOUNT_SID, AUTH_TOKEN) },
    });
    expect(linked.status).toBe(200);
    expect(((await linked.json()) as { media_list: unknown[] }).media_list).toHaveLength(2);

    const sms = await client.messages.create({ to: TO, from: FROM, body: 'no media' });
    expect(await client.messages(sms.sid).media.list()).toEqual([]);
    await expect(client.messages(`SM${'0'.repeat(32)}`).media.list()).rejects.toMatchObject({ status: 404 });
  });

  it('sends WhatsApp, session and template', async () => {
    const addresses = { to: `whatsapp:${TO}`, from: `whatsapp:${FROM}` };
    const session = await client.messages.create({ ...addresses, body: 'x'.repeat(300) });
    expect(session).toMatchObject({ ...addresses, numSegments: '1', status: 'queued' });
    const template = await client.messages.create({
      ...addresses,
      contentSid: `HX${'c'.repeat(32)}`,
      contentVariables: JSON.stringify({ 1: 'Ann' }),
    });
    expect(template.sid).toMatch(/^SM/);
    expect(sandbox.requests()[1]?.params).toMatchObject({
      ContentSid: `HX${'c'.repeat(32)}`,
      ContentVariables: '{"1":"Ann"}',
    });
  });

  it('accepts through a Messaging Service with from null', async () => {
    const message = await client.messages.create({ to: TO, messagingServiceSid: MG, body: 'hi' });
    expect(message).toMatchObject({ status: 'accepted', from: null, messagingServiceSid: MG, numSegments: '0' });
  });

  const magic: Array<[string, number, { to: string; from: string }]> = [
    ['From +15005550001', 21212, { to: TO, from: '+15005550001' }],
    ['From +15005550007', 21606, { to: TO, from: '+15005550007' }],
    ['From +15005550008', 21611, { to: TO, from: '+15005550008' }],
    ['To +15005550001', 21211, { to: '+15005550001', from: FROM }],
    ['To +15005550002', 21612, { to: '+15005550002', from: FROM }],
    ['To +15005550003', 21408, { to: '+15005550003', from: FROM }],
    ['To +15005550004', 21610, { to: '+15005550004', from: FROM }],
    ['To +15005550009', 21614, { to: '+15005550009', from: FROM }],
    ['WhatsApp To +15005550004', 21610, { to: 'whatsapp:+15005550004', from: `whatsapp:${FROM}` }],
  ];

  it.each(magic)('%s makes the SDK throw RestException %i', async (_name, code, addresses) => {
    const error = await rejectionOf(client.messages.create({ ...addresses, body: 'hi' }));
    expect(error).toBeInstanceOf(twilio.RestException);
    expect(error).toMatchObject({ status: 400, code, moreInfo: `https://www.twilio.com/docs/errors/${code}` });
    expect(sandbox.requests()).toMatchObject([{ status: 400, errorCode: code, accountSid: ACCOUNT_SID }]);
    expect(sandbox.requests()[0]?.sid).toBeUndefined();
  });

  it('answers validation errors through the SDK', async () => {
    const tooMany = Array.from({ length: 11 }, (_, index) => `https://example.com/${index}.png`);
    const refusals = await Promise.all([
      rejectionOf(client.messages.create({ to: TO, from: FROM, mediaUrl: tooMany })),
      rejectionOf(client.messages.create({ to: TO, from: FROM })),
      rejectionOf(client.messages.create({ to: 'whatsapp:+1415', from: FROM, body: 'x' })),
    ]);
    expect(refusals).toMatchObject([
      { code: 21623, status: 400 },
      { code: 21602, status: 400 },
      { code: 21910, status: 400 },
    ]);
  });

  it('refuses a wrong token with 20003/401 and records the attempt without the token', async () => {
    const wrongToken = 'wrong-token-0000';
    const error = await rejectionOf(connect(wrongToken).messages.create({ to: TO, from: FROM, body: 'hi' }));
    expect(error).toBeInstanceOf(twilio.RestException);
    expect(error).toMatchObject({ status: 401, code: 20003, message: 'Authenticate' });
    expect(sandbox.requests()).toMatchObject([{ status: 401, errorCode: 20003, params: { To: TO } }]);
    expect(JSON.stringify(sandbox.requests())).not.toContain(wrongToken);
  });

  it('refuses valid credentials on another account’s path', async () => {
    const other = `AC${'f'.repeat(32)}`;
    const response = await fetch(`${sandbox.url}/2010-04-01/Accounts/${other}/Messages.json`, {
      method: 'POST',
      headers: { Authorization: basic(ACCOUNT_SID, AUTH_TOKEN), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: TO, From: FROM, Body: 'hi' }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      code: 20003,
      message: 'Authenticate',
      more_info: 'https://www.twilio.com/docs/errors/20003',
      status: 401,
    });
  });
});

describe('create as curl sends it', () => {
  it('accepts `curl -X POST … --data-urlencode … -u AC…:token`', async () => {
    // curl -X POST "$URL/2010-04-01/Accounts/$SID/Messages.json" --data-urlencode "Body=Hi there ✓" \
    //   --data-urlencode "From=+14155550100" --data-urlencode "To=+14155550199" -u "$SID:$TOKEN"
    const body = ['Body=Hi%20there%20%E2%9C%93', 'From=%2B14155550100', 'To=%2B14155550199'].join('&');
    const response = await fetch(`${sandbox.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, {
      method: 'POST',
      headers: {
        Authorization: basic(ACCOUNT_SID, AUTH_TOKEN),
        'User-Agent': 'curl/8.5.0',
        Accept: '*/*',
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body,
    });
    const text = await response.text();
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const message = JSON.parse(text) as Record<string, unknown>;
    expect(listSchemaViolations(message)).toEqual([]);
    expect(message).toMatchObject({ body: 'Hi there ✓', from: FROM, to: TO, status: 'queued', num_segments: '1' });
    expect(text).not.toContain(AUTH_TOKEN);
    expect(sandbox.requests()).toMatchObject([{ status: 201, sid: message.sid, params: { Body: 'Hi there ✓' } }]);
  });

  it('treats a JSON body as a request without To (21604), as Twilio does', async () => {
    const response = await fetch(`${sandbox.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, {
      method: 'POST',
      headers: { Authorization: basic(ACCOUNT_SID, AUTH_TOKEN), 'Content-Type': 'application/json' },
      body: JSON.stringify({ To: TO, From: FROM, Body: 'hi' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: 21604,
      status: 400,
      more_info: 'https://www.twilio.com/docs/errors/21604',
    });
    expect(sandbox.requests()).toMatchObject([{ status: 400, errorCode: 21604, params: {} }]);
  });

  it('answers wrong methods with 405 and unknown resources with 404', async () => {
    const messages = `${sandbox.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;
    const headers = { Authorization: basic(ACCOUNT_SID, AUTH_TOKEN) };
    const put = await fetch(messages, { method: 'PUT', headers });
    expect(put.status).toBe(405);
    expect(await put.json()).toMatchObject({ code: 20004, status: 405 });
    const calls = await fetch(`${sandbox.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`, { headers });
    expect(calls.status).toBe(404);
    expect(await calls.json()).toMatchObject({ code: 20404, status: 404 });
    const unauthenticated = await fetch(messages);
    expect(unauthenticated.status).toBe(401);
  });
});

describe('the auth token', () => {
  it('appears in no answer and no recorded request', async () => {
    await client.messages.create({ to: TO, from: FROM, body: `token? ${AUTH_TOKEN.slice(0, 4)}` });
    await rejectionOf(client.messages.create({ to: '+15005550002', from: FROM, body: 'hi' }));
    const texts = await Promise.all(
      [
        `${sandbox.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`,
        `${sandbox.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/SM${'0'.repeat(32)}.json`,
        `${sandbox.url}/sandbox/requests`,
      ].map(async (url) => (await fetch(url, { headers: { Authorization: basic(ACCOUNT_SID, AUTH_TOKEN) } })).text()),
    );
    for (const text of texts) expect(text).not.toContain(AUTH_TOKEN);
    expect(JSON.stringify(sandbox.requests())).not.toContain(AUTH_TOKEN);
    expect(sandbox.requests()).toHaveLength(2);
  });
});

function connect(authToken: string): TwilioClient {
  return createTwilioClient({
    accountSid: ACCOUNT_SID,
    authToken,
    baseUrl: sandbox.url,
    timeoutMs: 5000,
    maxSockets: 4,
  });
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
