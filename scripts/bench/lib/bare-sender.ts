import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

import { createTwilioClient } from '../../../src/send/twilio-client.js';

/**
 * The send-overhead baseline, one process of it: a bare BullMQ Worker whose processor only calls the SDK's
 * `messages.create`, through herald's own `createTwilioClient` (same transport, socket pool and sandbox rewrite),
 * so the difference to herald is herald's bookkeeping, not the HTTP client. Prints `ready` once it is listening.
 * Environment: REDIS_URL, SANDBOX_URL, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, CONCURRENCY, QUEUE.
 */
function required(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
}

const concurrency = Number(required('CONCURRENCY'));
const client = createTwilioClient({
  accountSid: required('TWILIO_ACCOUNT_SID'),
  authToken: required('TWILIO_AUTH_TOKEN'),
  baseUrl: required('SANDBOX_URL'),
  timeoutMs: 15_000,
  maxSockets: concurrency,
});
const connection = new Redis(required('REDIS_URL'), { maxRetriesPerRequest: null });
const worker = new Worker<{ to: string; from: string; body: string }>(
  required('QUEUE'),
  async (job) => {
    await client.messages.create({ to: job.data.to, from: job.data.from, body: job.data.body });
  },
  { connection, concurrency },
);
await worker.waitUntilReady();
console.log('ready');
process.once('SIGTERM', () => {
  void worker.close().then(() => connection.quit().then(() => process.exit(0)));
});
