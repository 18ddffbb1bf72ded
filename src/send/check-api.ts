import type { TwilioClient } from './twilio-client.js';

/** One cheap read of the real API: opens the connection and shows at start-up whether the credentials work. */
export async function checkApiReachable(client: TwilioClient): Promise<void> {
  await client.messages.list({ limit: 1 });
}
