import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createTwilioClient, type TwilioClient } from './twilio-client.js';

const WARM_UP_SENDS = 5;
const SID = `SM${'0'.repeat(32)}`;

/**
 * Runs the SDK's create path a few times against a throwaway server on this process's own loopback, so that a new
 * worker's first real sends do not spend tens of milliseconds compiling it after the dispatch guard has let them go:
 * a send that leaves that late bunches up with the next one at Twilio. Nothing leaves the machine.
 */
export async function warmUpCreatePath(): Promise<void> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ sid: SID, status: 'queued', num_segments: '1', num_media: '0' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const client = createTwilioClient({
      accountSid: `AC${'0'.repeat(32)}`,
      authToken: 'warm-up-only',
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      timeoutMs: 2000,
      maxSockets: 1,
    });
    for (let index = 0; index < WARM_UP_SENDS; index++) {
      await client.messages.create({ to: '+15005550006', from: '+15005550006', body: 'warm-up', mediaUrl: [] });
    }
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** One cheap read of the real API: opens the connection and shows at start-up whether the credentials work. */
export async function checkApiReachable(client: TwilioClient): Promise<void> {
  await client.messages.list({ limit: 1 });
}
