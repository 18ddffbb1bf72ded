import { describe, expect, it } from '@jest/globals';
import twilio from 'twilio';
import { decideFault } from '../../../src/sandbox/fault-injection.js';
import type { FaultSettings } from '../../../src/sandbox/fault-settings.js';
import type { Sandbox } from '../../../src/sandbox/index.js';
import type { TwilioClient } from '../../../src/send/twilio-client.js';
import { makeRandom } from '../../../src/sandbox/random.js';
import { useSandboxWithClient } from '../../helpers/sandbox-client.js';

const ACCOUNT_SID = `AC${'a1b2c3d4e5f60718'.repeat(2)}`;
const AUTH_TOKEN = 'faults-token-3e8a';
const SMS = { to: '+14155550199', from: '+14155550100', body: 'hi' };
const MESSAGES_URL = (sandbox: Sandbox): string => `${sandbox.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;

const start = useSandboxWithClient(ACCOUNT_SID, AUTH_TOKEN);

/** How a create ended, as the SDK reports it. */
type Outcome = { sid: string } | { status: number; code: number | undefined } | { network: string };

async function tryCreate(
  client: TwilioClient,
  params: Parameters<TwilioClient['messages']['create']>[0],
): Promise<Outcome> {
  try {
    return { sid: (await client.messages.create(params)).sid };
  } catch (error) {
    if (error instanceof twilio.RestException) return { status: error.status, code: error.code };
    return { network: (error as NodeJS.ErrnoException).code ?? String(error) };
  }
}

function postCreate(sandbox: Sandbox): Promise<Response> {
  return fetch(MESSAGES_URL(sandbox), {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ To: SMS.to, From: SMS.from, Body: SMS.body }),
  });
}

describe('seeded fault injection', () => {
  const COUNT = 200;
  const settings: FaultSettings = { rate429: 0.1, rate500: 0.05, rate503: 0.05, acceptThenDrop: 0.1, seed: 42 };

  it('fails exactly the requests the seed decides, storing accepted-then-dropped ones only', async () => {
    const { sandbox, client } = await start({ faults: settings });
    const outcomes: Outcome[] = [];
    // One at a time, so the nth decision goes to the nth request.
    for (let index = 0; index < COUNT; index += 1)
      outcomes.push(await tryCreate(client, { ...SMS, body: `m${index}` }));

    const random = makeRandom(42);
    const expected = Array.from({ length: COUNT }, () => decideFault(settings, random(), random()));
    const expectedFaults = expected.map(
      (decision) => decision.refuse ?? (decision.dropIfAccepted ? 'drop' : undefined),
    );
    const tally = (kind: string | undefined): number => expectedFaults.filter((fault) => fault === kind).length;
    // Seed 42's exact counts: a change to the generator or to the draws per request shows up here.
    expect(['429', '500', '503', 'drop', undefined].map(tally)).toEqual([19, 10, 12, 11, 148]);

    const requests = sandbox.requests();
    expect(requests.map((request) => request.fault)).toEqual(expectedFaults);
    for (const [index, outcome] of outcomes.entries()) {
      const fault = expectedFaults[index];
      if (fault === '429') expect(outcome).toEqual({ status: 429, code: 20429 });
      else if (fault === '500') expect(outcome).toEqual({ status: 500, code: 20500 });
      else if (fault === '503') expect(outcome).toEqual({ status: 503, code: 20503 });
      else if (fault === 'drop') expect(outcome).toEqual({ network: 'ECONNRESET' });
      else expect(outcome).toHaveProperty('sid');
    }

    // Refused requests were not processed; dropped ones exist, with the SID the log recorded.
    const listed = await client.messages.list({ pageSize: 1000 });
    expect(listed).toHaveLength(COUNT - tally('429') - tally('500') - tally('503'));
    const droppedSids = requests.filter((request) => request.fault === 'drop').map((request) => request.sid);
    expect(droppedSids.every((sid) => sid?.startsWith('SM'))).toBe(true);
    expect(listed.map((message) => message.sid)).toEqual(expect.arrayContaining(droppedSids));
    const dropped = await client.messages(droppedSids[0] ?? '').fetch();
    expect(dropped.status).toBe('queued');
    expect(requests.filter((request) => request.status === 429).every((request) => request.sid === undefined)).toBe(
      true,
    );
  });
});

describe('Retry-After', () => {
  it('is sent with injected 429s when configured, with Twilio’s 20429 body', async () => {
    const { sandbox } = await start({ faults: { rate429: 1, retryAfterSeconds: 5 } });
    const response = await postCreate(sandbox);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toEqual({
      code: 20429,
      message: 'Too Many Requests',
      more_info: 'https://www.twilio.com/docs/errors/20429',
      status: 429,
    });
  });

  it('is absent by default, as from Twilio’s Messages API', async () => {
    const { sandbox } = await start({ faults: { rate429: 1 } });
    const response = await postCreate(sandbox);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBeNull();
  });
});

describe('daily cap', () => {
  it('answers 63038 past N accepted messages from one sender, counting each sender apart', async () => {
    const { sandbox, client } = await start({ faults: { dailyCap: 3 } });
    const mg = `MG${'d'.repeat(32)}`;
    const first = [];
    for (let index = 0; index < 3; index += 1) first.push(await tryCreate(client, SMS));
    expect(first.every((outcome) => 'sid' in outcome)).toBe(true);
    expect(await tryCreate(client, SMS)).toEqual({ status: 429, code: 63038 });
    expect(await tryCreate(client, { ...SMS, from: '+14155550101' })).toHaveProperty('sid');
    expect(await tryCreate(client, { to: SMS.to, messagingServiceSid: mg, body: 'hi' })).toHaveProperty('sid');

    const capped = sandbox.requests()[3];
    expect(capped).toMatchObject({ status: 429, errorCode: 63038, fault: 'daily-cap' });
    expect(capped?.sid).toBeUndefined();
    expect(await client.messages.list({ from: SMS.from })).toHaveLength(3);
    const error = await client.messages.create(SMS).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ message: `Account ${ACCOUNT_SID} exceeded the 3 daily messages limit` });
  });
});

describe('changing faults at runtime', () => {
  it('applies setFaults to the next request', async () => {
    const { sandbox, client } = await start();
    expect(await tryCreate(client, SMS)).toHaveProperty('sid');
    sandbox.setFaults({ rate503: 1 });
    expect(await tryCreate(client, SMS)).toEqual({ status: 503, code: 20503 });
    sandbox.setFaults({});
    expect(await tryCreate(client, SMS)).toHaveProperty('sid');
    expect(() => sandbox.setFaults({ rate429: 3 })).toThrow(RangeError);
  });

  it('applies PUT /sandbox/faults, shows them on GET, and refuses bad settings', async () => {
    const { sandbox, client } = await start({ faults: { rate500: 1 } });
    const put = (body: string): Promise<Response> => fetch(`${sandbox.url}/sandbox/faults`, { method: 'PUT', body });
    expect(await tryCreate(client, SMS)).toEqual({ status: 500, code: 20500 });

    const turnedTo429 = await put(JSON.stringify({ rate429: 1, retryAfterSeconds: 1 }));
    expect(turnedTo429.status).toBe(200);
    expect(await turnedTo429.json()).toEqual({ rate429: 1, retryAfterSeconds: 1 });
    expect(await tryCreate(client, SMS)).toEqual({ status: 429, code: 20429 });
    expect(await (await fetch(`${sandbox.url}/sandbox/faults`)).json()).toEqual({ rate429: 1, retryAfterSeconds: 1 });

    const bad = await put('{"rate429": "lots"}');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ message: 'faults.rate429 must be a share from 0 to 1' });
    expect((await put('not json')).status).toBe(400);
    expect(await tryCreate(client, SMS)).toEqual({ status: 429, code: 20429 });

    expect((await put('{}')).status).toBe(200);
    expect(await tryCreate(client, SMS)).toHaveProperty('sid');
    expect(sandbox.requests().map((request) => request.fault)).toEqual(['500', '429', '429', undefined]);
  });

  it('does not inject faults into a refused login', async () => {
    const { sandbox } = await start({ faults: { rate429: 1 } });
    const response = await fetch(MESSAGES_URL(sandbox), { method: 'POST' });
    expect(response.status).toBe(401);
    expect(sandbox.requests()).toMatchObject([{ status: 401, errorCode: 20003 }]);
    expect(sandbox.requests()[0]?.fault).toBeUndefined();
  });
});
