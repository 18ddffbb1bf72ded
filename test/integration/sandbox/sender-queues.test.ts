import { describe, expect, it } from '@jest/globals';
import twilio from 'twilio';
import type { Sandbox, SenderReport } from '../../../src/sandbox/index.js';
import { useSandboxWithClient } from '../../helpers/sandbox-client.js';

const ACCOUNT_SID = `AC${'0f1e2d3c4b5a6978'.repeat(2)}`;
const AUTH_TOKEN = 'queues-token-5b1c';
const FROM = '+14155550100';
const TO = '+14155550199';

const start = useSandboxWithClient(ACCOUNT_SID, AUTH_TOKEN);

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the create to fail');
    },
    (error: unknown) => error,
  );
}

async function fetchSenders(sandbox: Sandbox): Promise<SenderReport[]> {
  const response = await fetch(`${sandbox.url}/sandbox/senders`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { senders: SenderReport[] }).senders;
}

describe('per-sender queues', () => {
  it('accepts 2 s of sending at 1 MPS, then answers 21611 without storing the message', async () => {
    const { sandbox, client } = await start({ senderQueues: { mps: { [FROM]: 1 }, maxQueueHours: 2 / 3600 } });
    const first = await client.messages.create({ to: TO, from: FROM, body: 'one' });
    const second = await client.messages.create({ to: TO, from: FROM, body: 'two' });
    const error = await errorOf(client.messages.create({ to: TO, from: FROM, body: 'three' }));
    expect(error).toBeInstanceOf(twilio.RestException);
    expect(error).toMatchObject({
      status: 400,
      code: 21611,
      message: "This 'From' number has exceeded the maximum number of queued messages",
    });
    // Accepted messages stay queued; the refused one was never created.
    expect(first.status).toBe('queued');
    expect((await client.messages.list({})).map((message) => message.sid).sort()).toEqual(
      [first.sid, second.sid].sort(),
    );
    expect(sandbox.requests()).toMatchObject([
      { status: 201, sid: first.sid },
      { status: 201, sid: second.sid },
      { status: 400, errorCode: 21611, fault: 'queue-full' },
    ]);
    // Another sender's queue is its own.
    await expect(client.messages.create({ to: TO, from: '+14155550101', body: 'x' })).resolves.toHaveProperty('sid');
  });

  it('counts SMS in segments and MMS or WhatsApp as one each', async () => {
    // 0.01 MPS: a segment takes 100 s, so the few ms the test takes leave the counts whole.
    const whatsApp = `whatsapp:${FROM}`;
    const { sandbox, client } = await start({
      senderQueues: { mps: { [FROM]: 0.01, [whatsApp]: 0.01 }, maxQueueHours: 400 / 3600 },
    });
    const threeSegments = await client.messages.create({ to: TO, from: FROM, body: 'a'.repeat(400) });
    expect(threeSegments.numSegments).toBe('3');
    await client.messages.create({ to: TO, from: FROM, body: 'one segment' });
    await expect(client.messages.create({ to: TO, from: FROM, body: 'no room' })).rejects.toMatchObject({
      code: 21611,
    });
    for (let index = 0; index < 4; index += 1) {
      await client.messages.create({ to: `whatsapp:${TO}`, from: whatsApp, body: 'w'.repeat(500) });
    }
    await expect(
      client.messages.create({ to: `whatsapp:${TO}`, from: whatsApp, body: 'no room' }),
    ).rejects.toMatchObject({ code: 21611 });

    const senders = await fetchSenders(sandbox);
    expect(senders).toMatchObject([
      { sender: FROM, mps: 0.01, accepted: 2, queuedSegments: 4 },
      { sender: whatsApp, mps: 0.01, accepted: 4, queuedSegments: 4 },
    ]);
    expect(senders[0]?.backlogSeconds).toBeGreaterThan(399);
    expect(senders[0]?.backlogSeconds).toBeLessThanOrEqual(400);
  });

  it('shows each sender’s default MPS and the arrival time of every accepted create', async () => {
    const { sandbox, client } = await start({ senderQueues: {} });
    const mg = `MG${'e'.repeat(32)}`;
    const senders = ['+18005550100', '12345', `whatsapp:${FROM}`, FROM];
    for (const from of senders) {
      const to = from.startsWith('whatsapp:') ? `whatsapp:${TO}` : TO;
      await client.messages.create({ to, from, body: 'hi' });
      await client.messages.create({ to, from, body: 'again' });
    }
    await client.messages.create({ to: TO, messagingServiceSid: mg, body: 'hi' });
    await client.messages.create({ to: '+15005550009', from: FROM, body: 'refused' }).catch(() => undefined);

    const reports = await fetchSenders(sandbox);
    expect(reports.map(({ sender, mps, accepted }) => ({ sender, mps, accepted }))).toEqual([
      { sender: '+18005550100', mps: 3, accepted: 2 },
      { sender: '12345', mps: 100, accepted: 2 },
      { sender: `whatsapp:${FROM}`, mps: 80, accepted: 2 },
      { sender: FROM, mps: 1, accepted: 2 },
      { sender: mg, mps: 1, accepted: 1 },
    ]);
    // Arrivals are the receivedAt of the accepted creates, in order; refused ones are not arrivals.
    const accepted = sandbox.requests().filter((request) => request.status === 201);
    for (const report of reports) {
      const own = accepted.filter(
        (request) => (request.params.From ?? request.params.MessagingServiceSid) === report.sender,
      );
      expect(report.arrivals).toEqual(own.map((request) => request.receivedAt));
    }
    expect(sandbox.senders().map((report) => report.arrivals)).toEqual(reports.map((report) => report.arrivals));

    sandbox.reset();
    expect(await fetchSenders(sandbox)).toEqual([]);
  });

  it('only models the backlog when off: never 21611, and still reports arrivals', async () => {
    const { sandbox, client } = await start();
    const created = await Promise.all(
      Array.from({ length: 10 }, (_, index) => client.messages.create({ to: TO, from: FROM, body: `m${index}` })),
    );
    expect(created).toHaveLength(10);
    const [report] = await fetchSenders(sandbox);
    expect(report).toMatchObject({ sender: FROM, mps: 1, accepted: 10 });
    expect(report?.arrivals).toHaveLength(10);
    expect(report?.backlogSeconds).toBeGreaterThan(5);
  });
});
