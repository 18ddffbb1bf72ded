import { afterEach, describe, expect, it } from '@jest/globals';
import { performance } from 'node:perf_hooks';
import { createTwilioClient, type TwilioClient } from '../../../src/send/twilio-client.js';
import { type Sandbox, startSandbox } from '../../../src/sandbox/index.js';

const ACCOUNT_SID = `AC${'00112233445566778899aabbccddeeff'}`;
const AUTH_TOKEN = 'tls-token-77c3';
const SMS = { to: '+14155550199', from: '+14155550100', body: 'hi' };

const started: Sandbox[] = [];
async function start(options: { tls?: boolean; latencyMs?: number } = {}): Promise<Sandbox> {
  const sandbox = await startSandbox({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, ...options });
  started.push(sandbox);
  return sandbox;
}

/** The real SDK pointed at `baseUrl` (the sandbox's own URL unless given). */
type ClientOverrides = { baseUrl?: string; ca?: string; timeoutMs?: number };

function connect(sandbox: Sandbox, overrides: ClientOverrides = {}): TwilioClient {
  return createTwilioClient({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    baseUrl: sandbox.url,
    timeoutMs: 5000,
    maxSockets: 1,
    ...overrides,
  });
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((sandbox) => sandbox.close()));
});

describe('TLS', () => {
  it('serves HTTPS that the SDK trusts with the generated CA', async () => {
    const sandbox = await start({ tls: true });
    expect(sandbox.url).toBe(`https://127.0.0.1:${sandbox.port}`);
    expect(sandbox.ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const client = connect(sandbox, { ca: sandbox.ca ?? '' });
    const message = await client.messages.create(SMS);
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    // The certificate also names localhost.
    const byName = connect(sandbox, { baseUrl: `https://localhost:${sandbox.port}`, ca: sandbox.ca ?? '' });
    expect((await byName.messages(message.sid).fetch()).sid).toBe(message.sid);
  });

  it('is refused by a client that does not trust the certificate', async () => {
    const sandbox = await start({ tls: true });
    const error = await connect(sandbox)
      .messages.create(SMS)
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    // Refused during the handshake, before a byte of the request: not sent, with the TLS error as its cause.
    expect(error).toMatchObject({ code: 'ENOTSENT', cause: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' } });
    expect(sandbox.requests()).toEqual([]);
  });
});

describe('latency', () => {
  it('answers API requests no sooner than latencyMs, and inspection at once', async () => {
    const latencyMs = 300;
    const sandbox = await start({ latencyMs });
    const client = connect(sandbox);
    const before = performance.now();
    await client.messages.create(SMS);
    expect(performance.now() - before).toBeGreaterThanOrEqual(latencyMs - 5);

    const inspectStart = performance.now();
    expect((await fetch(`${sandbox.url}/sandbox/health`)).status).toBe(200);
    expect(performance.now() - inspectStart).toBeLessThan(latencyMs);
  });

  it('does not hold close() up while a delayed answer is pending', async () => {
    const sandbox = await start({ latencyMs: 60_000 });
    const client = connect(sandbox, { timeoutMs: 120_000 });
    const pending = client.messages.create(SMS).catch((error: unknown) => error);
    while (sandbox.requests().length === 0) await new Promise((resolve) => setImmediate(resolve));
    const closeStart = performance.now();
    await sandbox.close();
    expect(performance.now() - closeStart).toBeLessThan(5000);
    await pending;
  });
});

describe('inspection endpoints', () => {
  it('lists create requests with their outcome, without credentials', async () => {
    const sandbox = await start();
    const client = connect(sandbox);
    const before = performance.timeOrigin + performance.now();
    const message = await client.messages.create({ ...SMS, statusCallback: 'https://hooks.example.com/status' });
    await client.messages.create({ ...SMS, to: '+15005550009' }).catch(() => undefined);
    const after = performance.timeOrigin + performance.now();

    const response = await fetch(`${sandbox.url}/sandbox/requests`);
    expect(response.status).toBe(200);
    const { requests } = (await response.json()) as { requests: Array<Record<string, unknown>> };
    expect(requests).toEqual(sandbox.requests());
    expect(requests).toMatchObject([
      {
        accountSid: ACCOUNT_SID,
        status: 201,
        sid: message.sid,
        params: { To: SMS.to, From: SMS.from, Body: 'hi', StatusCallback: 'https://hooks.example.com/status' },
      },
      { accountSid: ACCOUNT_SID, status: 400, errorCode: 21614 },
    ]);
    for (const request of requests) {
      expect(request.receivedAt).toBeGreaterThanOrEqual(before);
      expect(request.receivedAt).toBeLessThanOrEqual(after);
    }
    expect(requests[0]?.receivedAt).toBeLessThan(Number(requests[1]?.receivedAt));
    expect(JSON.stringify(requests)).not.toContain(AUTH_TOKEN);
  });

  it('forgets requests and messages on DELETE /sandbox/requests and on reset()', async () => {
    const sandbox = await start();
    const client = connect(sandbox);
    const first = await client.messages.create(SMS);
    expect((await fetch(`${sandbox.url}/sandbox/requests`, { method: 'DELETE' })).status).toBe(204);
    expect(sandbox.requests()).toEqual([]);
    await expect(client.messages(first.sid).fetch()).rejects.toMatchObject({ status: 404 });

    await client.messages.create(SMS);
    sandbox.reset();
    expect(sandbox.requests()).toEqual([]);
    expect(await client.messages.list({})).toEqual([]);
  });

  it('answers health checks and 404 for unknown paths', async () => {
    const sandbox = await start();
    const health = await fetch(`${sandbox.url}/sandbox/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const unknown = await fetch(`${sandbox.url}/nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 20404, status: 404 });
  });
});
