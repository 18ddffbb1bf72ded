import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { classifyFailure } from '../../../src/send/classify.js';
import { sendInContext } from '../../../src/send/dispatch-gate.js';
import { createTwilioClient } from '../../../src/send/twilio-client.js';
import { type Sandbox, startSandbox } from '../../../src/sandbox/index.js';

const ACCOUNT_SID = `AC${'9a7e'.repeat(8)}`;
const AUTH_TOKEN = 'sandbox-token-9a7e9a7e';

describe('a dispatch guard that fails (its Redis shard is failing over)', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  });

  afterAll(async () => {
    await sandbox.close();
  });

  it('reaches the processor through the real SDK as "not sent", so the recipient is retried, not left unknown', async () => {
    const client = createTwilioClient({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      baseUrl: sandbox.url,
      timeoutMs: 5000,
      maxSockets: 5,
    });
    const gate = () => Promise.reject(new Error('CLUSTERDOWN The cluster is down'));
    const error = await sendInContext({ gate }, () =>
      client.messages.create({ to: '+14155550199', from: '+14155550100', body: 'hi' }),
    ).catch((thrown: unknown) => thrown);

    expect(classifyFailure(error)).toEqual({
      kind: 'retry',
      reason: 'the request was not sent: its dispatch gate failed (CLUSTERDOWN The cluster is down)',
    });
    expect(sandbox.requests()).toHaveLength(0);
  });
});
