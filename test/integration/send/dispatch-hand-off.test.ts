import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { classifyFailure } from '../../../src/send/classify.js';
import { RequestNotSentError, sendInContext } from '../../../src/send/dispatch-gate.js';
import { createTwilioClient, type TwilioClient } from '../../../src/send/twilio-client.js';
import { type Sandbox, startSandbox } from '../../../src/sandbox/index.js';

const ACCOUNT_SID = `AC${'4b1d'.repeat(8)}`;
const AUTH_TOKEN = 'sandbox-token-4b1d4b1d';
const PARAMS = { to: '+14155550199', from: '+14155550100', body: 'hi' };

// One file of its own: a missed hand-off refuses every later send of the process (here, of this module registry).
describe('handing the dispatch gate to the transport within the SDK call', () => {
  let sandbox: Sandbox;
  let client: TwilioClient;
  const clients: Partial<Record<'direct' | 'sdk', TwilioClient>> = {};

  beforeAll(async () => {
    sandbox = await startSandbox({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    for (const transport of ['direct', 'sdk'] as const) {
      clients[transport] = createTwilioClient({
        accountSid: ACCOUNT_SID,
        authToken: AUTH_TOKEN,
        baseUrl: sandbox.url,
        timeoutMs: 5000,
        maxSockets: 5,
        transport,
      });
    }
    client = clients.direct as TwilioClient;
  });

  afterAll(async () => {
    await sandbox.close();
  });

  it.each(['direct', 'sdk'] as const)(
    'the real SDK calls the %s transport within messages.create(): each send passes its own gate once',
    async (transport) => {
      const sdk = clients[transport] as TwilioClient;
      const before = sandbox.requests().length;
      const passes = [0, 0, 0];
      const sends = passes.map((_, index) =>
        sendInContext({ gate: async () => void passes[index]!++ }, () => sdk.messages.create(PARAMS)),
      );
      const messages = await Promise.all(sends);
      expect(messages.map((message) => message.sid)).toEqual([
        expect.stringMatching(/^SM/),
        expect.stringMatching(/^SM/),
        expect.stringMatching(/^SM/),
      ]);
      expect(passes).toEqual([1, 1, 1]);
      expect(sandbox.requests().length - before).toBe(3);
    },
  );

  it('a lookup made outside a send passes no gate', async () => {
    await expect(client.messages.list({ to: PARAMS.to, limit: 1 })).resolves.toHaveLength(1);
  });

  it('refuses, as not sent and retryable, a send whose SDK call reaches the transport only after an await', async () => {
    const before = sandbox.requests().length;
    let passes = 0;
    const gate = async () => void passes++;
    // What an SDK that awaited something (a token, a lazy import) before calling its HTTP client would do.
    const error = await sendInContext({ gate }, async () => {
      await Promise.resolve();
      return client.messages.create(PARAMS);
    }).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(RequestNotSentError);
    expect(classifyFailure(error)).toMatchObject({ kind: 'retry' });
    // The late call came without its gate: refused by the transport too, so nothing reached the sandbox.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(passes).toBe(0);
    expect(sandbox.requests().length - before).toBe(0);

    // From then on the process sends nothing, even through a well-behaved call, and makes no request without a gate.
    await expect(sendInContext({ gate }, () => client.messages.create(PARAMS))).rejects.toBeInstanceOf(
      RequestNotSentError,
    );
    await expect(client.messages.create(PARAMS)).rejects.toBeInstanceOf(RequestNotSentError);
    expect(passes).toBe(0);
    expect(sandbox.requests().length - before).toBe(0);
  });
});
