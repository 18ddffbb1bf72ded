import { afterEach, describe, expect, it } from '@jest/globals';
import twilio from 'twilio';

import { type RecipientOptions, type Sandbox, startSandbox } from '../../../src/sandbox/index.js';
import { createTwilioClient, type TwilioClient } from '../../../src/send/twilio-client.js';
import { type CallbackReceiver, startCallbackReceiver } from '../../fixtures/sandbox/callback-receiver.js';

const ACCOUNT_SID = `AC${'5c4d3e2f1a0b9c8d'.repeat(2)}`;
const AUTH_TOKEN = 'recipients-token-41aa';
const SENDER = '+14155550100';
const OTHER_SENDER = '+14155550111';
const SERVICE = `MG${'c'.repeat(32)}`;
const RECIPIENT = '+14155550199';
const CONTENT_SID = `HX${'d'.repeat(32)}`;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function start(recipients: Omit<RecipientOptions, 'replyUrl'>, withReceiver = true) {
  const receiver: CallbackReceiver = await startCallbackReceiver(200);
  const replyUrl = receiver.urlFor('/twilio/incoming');
  const sandbox: Sandbox = await startSandbox({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    recipients: { ...(withReceiver ? { replyUrl } : {}), ...recipients },
  });
  cleanups.push(
    () => sandbox.close(),
    () => receiver.close(),
  );
  const client: TwilioClient = createTwilioClient({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    baseUrl: sandbox.url,
    timeoutMs: 5000,
    maxSockets: 2,
  });
  return { sandbox, client, receiver, replyUrl };
}

/** The Twilio error code a create gets, or 'accepted'. */
async function outcomeOf(create: Promise<unknown>): Promise<number | 'accepted'> {
  try {
    await create;
    return 'accepted';
  } catch (error) {
    return (error as { code: number }).code;
  }
}

describe('the sandbox plays the recipients', () => {
  it('posts a signed reply to the incoming-message webhook, and a keyword STOP opts out of that sender only', async () => {
    const { sandbox, client, receiver, replyUrl } = await start({
      replyShare: 1,
      replyMix: { stop: 1 },
      replyDelayMs: { min: 0, max: 0 },
      seed: 7,
    });
    await client.messages.create({ from: SENDER, to: RECIPIENT, body: 'Sale today' });
    await sandbox.repliesSettled();

    expect(receiver.received).toHaveLength(1);
    const [reply] = receiver.received;
    const params = reply?.params ?? {};
    expect(params).toMatchObject({ From: RECIPIENT, To: SENDER, AccountSid: ACCOUNT_SID, OptOutType: 'STOP' });
    expect(params.MessageSid).toMatch(/^SM[0-9a-f]{32}$/);
    const signature = String(reply?.headers['x-twilio-signature']);
    expect(twilio.validateRequest(AUTH_TOKEN, signature, replyUrl, params)).toBe(true);

    expect(await outcomeOf(client.messages.create({ from: SENDER, to: RECIPIENT, body: 'again' }))).toBe(21610);
    // Twilio's opt-outs belong to the sender written to: another number may still text (herald's own list may not).
    expect(await outcomeOf(client.messages.create({ from: OTHER_SENDER, to: RECIPIENT, body: 'x' }))).toBe('accepted');

    await sandbox.reply({ from: RECIPIENT, to: SENDER, body: 'start' });
    expect(await outcomeOf(client.messages.create({ from: SENDER, to: RECIPIENT, body: 'back' }))).toBe('accepted');
  });

  it('opts out of a whole Messaging Service, and posts replies Twilio does not act on without OptOutType', async () => {
    const { sandbox, client, receiver } = await start({});
    const spoken = await sandbox.reply({
      from: RECIPIENT,
      to: SENDER,
      body: 'Stop please',
      messagingServiceSid: SERVICE,
    });
    expect(spoken.status).toBe(200);
    expect(receiver.received[0]?.params.OptOutType).toBeUndefined();
    const via = () => client.messages.create({ messagingServiceSid: SERVICE, to: RECIPIENT, body: 'x' });
    expect(await outcomeOf(via())).toBe('accepted');

    await sandbox.reply({ from: RECIPIENT, to: SENDER, body: ' STOP ', messagingServiceSid: SERVICE });
    expect(await outcomeOf(via())).toBe(21610);
    expect(sandbox.replies().map((record) => record.params.Body)).toEqual(['Stop please', ' STOP ']);
  });

  it("keeps WhatsApp's 24-hour session when asked: free-form only after the recipient wrote, templates always", async () => {
    const { sandbox, client, receiver } = await start({ whatsappSessions: true });
    const freeForm = () =>
      client.messages.create({ from: `whatsapp:${SENDER}`, to: `whatsapp:${RECIPIENT}`, body: 'Your order shipped' });
    expect(await outcomeOf(freeForm())).toBe(63016);
    const template = client.messages.create({
      from: `whatsapp:${SENDER}`,
      to: `whatsapp:${RECIPIENT}`,
      contentSid: CONTENT_SID,
    });
    expect(await outcomeOf(template)).toBe('accepted');

    await sandbox.reply({ from: `whatsapp:${RECIPIENT}`, to: `whatsapp:${SENDER}`, body: 'Where is my order?' });
    expect(receiver.received[0]?.params).toMatchObject({ WaId: RECIPIENT.slice(1), From: `whatsapp:${RECIPIENT}` });
    expect(await outcomeOf(freeForm())).toBe('accepted');
  });

  it('replies to the share of messages asked for, and takes replies over HTTP from loopback', async () => {
    const { sandbox, client } = await start({
      replyShare: 0.5,
      replyMix: { text: 1 },
      replyDelayMs: { min: 0, max: 1 },
      seed: 11,
    });
    for (let index = 0; index < 40; index += 1)
      await client.messages.create({ from: SENDER, to: `+1415555${String(1000 + index)}`, body: 'hi' });
    await sandbox.repliesSettled();
    const replied = sandbox.replies().length;
    expect(replied).toBeGreaterThan(8);
    expect(replied).toBeLessThan(32);

    const response = await fetch(`${sandbox.url}/sandbox/replies`, {
      method: 'POST',
      body: JSON.stringify({ from: RECIPIENT, to: SENDER, body: 'HELP' }),
    });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { params: Record<string, string> }).params.OptOutType).toBe('HELP');
    const bad = await fetch(`${sandbox.url}/sandbox/replies`, { method: 'POST', body: '{"from":1}' });
    expect(bad.status).toBe(400);
  });

  it('refuses settings that make no sense', async () => {
    const options = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN };
    await expect(startSandbox({ ...options, recipients: { replyShare: 0.5 } })).rejects.toThrow(
      /needs recipients.replyUrl/,
    );
    await expect(
      startSandbox({ ...options, recipients: { replyUrl: 'http://127.0.0.1:1/x', replyMix: { shout: 1 } as never } }),
    ).rejects.toThrow(/unknown kind shout/);
  });
});
