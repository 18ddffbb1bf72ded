import { afterEach } from '@jest/globals';

import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/index.js';
import { createTwilioClient, type TwilioClient } from '../../src/send/twilio-client.js';

/**
 * For sandbox tests: `start(options)` gives a sandbox for one account and the real SDK pointed at it; every sandbox
 * started is closed after each test.
 */
export function useSandboxWithClient(accountSid: string, authToken: string) {
  const started: Sandbox[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((sandbox) => sandbox.close()));
  });
  return async function start(
    options: Partial<SandboxOptions> = {},
  ): Promise<{ sandbox: Sandbox; client: TwilioClient }> {
    const sandbox = await startSandbox({ accountSid, authToken, ...options });
    started.push(sandbox);
    const client = createTwilioClient({ accountSid, authToken, baseUrl: sandbox.url, timeoutMs: 5000, maxSockets: 1 });
    return { sandbox, client };
  };
}
