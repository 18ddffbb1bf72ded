import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { type CallbackSettings, parseCallbackOptions } from '../../../src/sandbox/callback-settings.js';
import { planDelivery } from '../../../src/sandbox/delivery-plan.js';
import {
  type CallbackOptions,
  type CallbackRecord,
  type Sandbox,
  type SandboxOptions,
  startSandbox,
} from '../../../src/sandbox/index.js';
import { makeRandom } from '../../../src/sandbox/random.js';
import { createTwilioClient, type TwilioClient } from '../../../src/send/twilio-client.js';
import { type CallbackReceiver, startCallbackReceiver } from '../../fixtures/sandbox/callback-receiver.js';

const ACCOUNT_SID = `AC${'9a8b7c6d5e4f3a2b'.repeat(2)}`;
const AUTH_TOKEN = 'callbacks-token-6d0f';
const FROM = '+14155550100';
const TO = '+14155550199';
const FAST: CallbackOptions = { sentDelayMs: { min: 0, max: 5 }, deliveredDelayMs: { min: 0, max: 5 } };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

interface Setup {
  sandbox: Sandbox;
  client: TwilioClient;
  receiver: CallbackReceiver;
}

async function start(callbacks: CallbackOptions, extra: Partial<SandboxOptions> = {}, status = 204): Promise<Setup> {
  const receiver = await startCallbackReceiver(status);
  const sandbox = await startSandbox({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, callbacks, ...extra });
  cleanups.push(
    () => sandbox.close(),
    () => receiver.close(),
  );
  const client = createTwilioClient({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    baseUrl: sandbox.url,
    timeoutMs: 5000,
    maxSockets: 2,
  });
  return { sandbox, client, receiver };
}

/** Statuses each message's callbacks reported, in the order they arrived. */
function statusesBySid(receiver: CallbackReceiver): Map<string, string[]> {
  const bySid = new Map<string, string[]>();
  for (const { params } of receiver.received) {
    const sid = params.MessageSid ?? '';
    bySid.set(sid, [...(bySid.get(sid) ?? []), params.MessageStatus ?? '']);
  }
  return bySid;
}

function settingsOf(options: CallbackOptions): CallbackSettings {
  const parsed = parseCallbackOptions(options);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.settings;
}

describe('status callbacks', () => {
  it('posts sent then delivered, signed so the SDK’s validateRequest accepts them', async () => {
    const { sandbox, client, receiver } = await start({ ...FAST, seed: 1 });
    const url = receiver.urlFor('/twilio/status?campaign=42');
    const created = [];
    for (let index = 0; index < 5; index += 1) {
      created.push(await client.messages.create({ to: TO, from: FROM, body: `m${index}`, statusCallback: url }));
    }
    expect(created.every((message) => message.status === 'queued')).toBe(true);
    await sandbox.callbacksSettled();

    expect(receiver.received).toHaveLength(10);
    for (const { url: postedTo, headers, params } of receiver.received) {
      expect(postedTo).toBe(url);
      expect(headers['content-type']).toBe('application/x-www-form-urlencoded');
      const signature = String(headers['x-twilio-signature']);
      expect(twilio.validateRequest(AUTH_TOKEN, signature, url, params)).toBe(true);
      expect(twilio.validateRequest('not-the-token', signature, url, params)).toBe(false);
      expect(Object.keys(params).sort()).toEqual(
        ['AccountSid', 'ApiVersion', 'From', 'MessageSid', 'MessageStatus', 'SmsSid', 'SmsStatus', 'To'].sort(),
      );
      expect(params).toMatchObject({ AccountSid: ACCOUNT_SID, From: FROM, To: TO, ApiVersion: '2010-04-01' });
      expect(params.SmsSid).toBe(params.MessageSid);
    }
    for (const message of created) expect(statusesBySid(receiver).get(message.sid)).toEqual(['sent', 'delivered']);

    // The resource follows: fetch and list show the final status.
    const fetched = await client.messages(created[0]?.sid ?? '').fetch();
    expect(fetched).toMatchObject({ status: 'delivered', errorCode: null });
    const listed = await client.messages.list({});
    expect(listed.map((message) => message.status)).toEqual(Array(5).fill('delivered'));

    // The sandbox records what it sent and what the receiver answered.
    const records = sandbox.callbacks();
    expect(records).toHaveLength(10);
    expect(records.every((record) => record.status === 204 && record.attempts === 1 && record.url === url)).toBe(true);
    expect(records.map((record) => record.params)).toEqual(receiver.received.map((callback) => callback.params));
    const inspected = (await (await fetch(`${sandbox.url}/sandbox/callbacks`)).json()) as {
      callbacks: CallbackRecord[];
    };
    expect(inspected.callbacks).toEqual(records);
  });

  it('ends a seeded share undelivered with ErrorCode, exactly as the plan for that seed', async () => {
    const options: CallbackOptions = { ...FAST, undeliveredShare: 0.4, seed: 11 };
    const { sandbox, client, receiver } = await start(options);
    const url = receiver.urlFor('/status');
    const sids: string[] = [];
    for (let index = 0; index < 30; index += 1) {
      sids.push((await client.messages.create({ to: TO, from: FROM, body: 'hi', statusCallback: url })).sid);
    }
    await sandbox.callbacksSettled();

    // Messages were created one at a time, so the nth plan drawn from the seed is the nth message's.
    const random = makeRandom(11);
    const plans = sids.map(() => planDelivery(0, false, settingsOf(options), random));
    expect(plans.filter((plan) => plan[1]?.status === 'undelivered')).toHaveLength(9);
    const finalBySid = new Map(
      receiver.received
        .filter((callback) => callback.params.MessageStatus !== 'sent')
        .map(({ params }) => [params.MessageSid, params] as const),
    );
    for (const [index, sid] of sids.entries()) {
      const planned = plans[index]?.[1];
      const params = finalBySid.get(sid);
      expect(params?.MessageStatus).toBe(planned?.status);
      if (planned?.status === 'undelivered') expect(params?.ErrorCode).toBe(String(planned.errorCode));
      else expect(params).not.toHaveProperty('ErrorCode');
    }
    const expectedFinals = plans.map((plan) => plan[1]?.status);
    const undeliveredIndex = expectedFinals.indexOf('undelivered');
    const undelivered = await client.messages(sids[undeliveredIndex] ?? '').fetch();
    const planned = plans[undeliveredIndex]?.[1];
    expect(undelivered).toMatchObject({
      status: 'undelivered',
      errorCode: planned?.status === 'undelivered' ? planned.errorCode : -1,
    });
    expect(undelivered.errorMessage).toEqual(expect.any(String));
  });

  it('sends every callback twice when duplicates are configured', async () => {
    const { sandbox, client, receiver } = await start({ ...FAST, duplicateShare: 1 });
    const message = await client.messages.create({
      to: TO,
      from: FROM,
      body: 'hi',
      statusCallback: receiver.urlFor('/s'),
    });
    await sandbox.callbacksSettled();
    expect(statusesBySid(receiver).get(message.sid)).toEqual(['sent', 'sent', 'delivered', 'delivered']);
    const [first, second] = receiver.received;
    expect(second?.headers['x-twilio-signature']).toBe(first?.headers['x-twilio-signature']);
  });

  it('can report the final status before sent, and the resource keeps the final one', async () => {
    const { sandbox, client, receiver } = await start({ ...FAST, outOfOrderShare: 1, undeliveredShare: 1 });
    const message = await client.messages.create({
      to: TO,
      from: FROM,
      body: 'hi',
      statusCallback: receiver.urlFor('/s'),
    });
    await sandbox.callbacksSettled();
    expect(statusesBySid(receiver).get(message.sid)).toEqual(['undelivered', 'sent']);
    expect((await client.messages(message.sid).fetch()).status).toBe('undelivered');
  });

  it('adds read for WhatsApp', async () => {
    const { sandbox, client, receiver } = await start({ ...FAST, readShare: 1 });
    const message = await client.messages.create({
      to: `whatsapp:${TO}`,
      from: `whatsapp:${FROM}`,
      body: 'hi',
      statusCallback: receiver.urlFor('/wa'),
    });
    const sms = await client.messages.create({ to: TO, from: FROM, body: 'hi', statusCallback: receiver.urlFor('/s') });
    await sandbox.callbacksSettled();
    expect(statusesBySid(receiver).get(message.sid)).toEqual(['sent', 'delivered', 'read']);
    expect(statusesBySid(receiver).get(sms.sid)).toEqual(['sent', 'delivered']);
    expect((await client.messages(message.sid).fetch()).status).toBe('read');
  });

  it('moves messages without a StatusCallback along too, posting nothing', async () => {
    const { sandbox, client, receiver } = await start({
      sentDelayMs: { min: 0, max: 0 },
      deliveredDelayMs: { min: 0, max: 0 },
    });
    const message = await client.messages.create({ to: TO, from: FROM, body: 'hi' });
    await sandbox.callbacksSettled();
    expect((await client.messages(message.sid).fetch()).status).toBe('delivered');
    expect(receiver.received).toEqual([]);
    expect(sandbox.callbacks()).toEqual([]);
  });

  it('retries once when the receiver cannot be reached, and records the failure', async () => {
    const { sandbox, client } = await start({ ...FAST, sentDelayMs: { min: 0, max: 0 } });
    const closedPort = await findClosedPort();
    const url = `http://127.0.0.1:${closedPort}/status`;
    await client.messages.create({ to: TO, from: FROM, body: 'hi', statusCallback: url });
    await sandbox.callbacksSettled();
    expect(sandbox.callbacks()).toMatchObject([
      { url, status: null, attempts: 2, error: expect.stringContaining('ECONNREFUSED') },
      { url, status: null, attempts: 2 },
    ]);
  });

  it('records an error answer without retrying it', async () => {
    const { sandbox, client, receiver } = await start(FAST, {}, 500);
    await client.messages.create({ to: TO, from: FROM, body: 'hi', statusCallback: receiver.urlFor('/s') });
    await sandbox.callbacksSettled();
    expect(receiver.received).toHaveLength(2);
    expect(sandbox.callbacks().map(({ status, attempts }) => ({ status, attempts }))).toEqual([
      { status: 500, attempts: 1 },
      { status: 500, attempts: 1 },
    ]);
  });

  it('waits for the sender’s queue before sent', async () => {
    const { sandbox, client, receiver } = await start(
      { sentDelayMs: { min: 0, max: 0 }, deliveredDelayMs: { min: 0, max: 0 } },
      { senderQueues: { mps: { [FROM]: 10 } } },
    );
    const url = receiver.urlFor('/s');
    for (let index = 0; index < 3; index += 1) {
      await client.messages.create({ to: TO, from: FROM, body: `m${index}`, statusCallback: url });
    }
    await sandbox.callbacksSettled();
    // At 10 MPS the third message leaves its queue 300 ms after the first arrived.
    const [arrival] = sandbox.requests();
    const lastSent = sandbox.callbacks().filter((record) => record.params.MessageStatus === 'sent')[2];
    expect((lastSent?.sentAt ?? 0) - (arrival?.receivedAt ?? 0)).toBeGreaterThanOrEqual(295);
  });

  it('never holds up the create answer, and close() cancels what is pending', async () => {
    const { sandbox, client, receiver } = await start({ sentDelayMs: { min: 60_000, max: 60_000 } });
    const message = await client.messages.create({
      to: TO,
      from: FROM,
      body: 'hi',
      statusCallback: receiver.urlFor('/s'),
    });
    expect(message.status).toBe('queued');
    const settled = sandbox.callbacksSettled();
    await sandbox.close();
    await settled;
    expect(receiver.received).toEqual([]);
    expect(sandbox.callbacks()).toEqual([]);
  });

  it('forgets pending callbacks and records on reset', async () => {
    const { sandbox, client, receiver } = await start({ sentDelayMs: { min: 60_000, max: 60_000 } });
    await client.messages.create({ to: TO, from: FROM, body: 'hi', statusCallback: receiver.urlFor('/s') });
    sandbox.reset();
    await sandbox.callbacksSettled();
    expect(receiver.received).toEqual([]);
  });
});

async function findClosedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
