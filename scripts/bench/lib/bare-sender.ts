import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import twilio from 'twilio';

import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type * as HttpResponse from 'twilio/lib/http/response.js';

/**
 * The send-overhead baseline, one process of it: a bare BullMQ Worker whose processor only calls the SDK's
 * `messages.create` on the SDK's own transport (axios, its https agent sized to the concurrency), changed only so that
 * requests reach the sandbox's origin. Not herald's `createTwilioClient`: a faster transport there must not make the
 * baseline faster too. Prints `ready` once it is listening.
 * Environment: REDIS_URL, SANDBOX_URL, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, CONCURRENCY, QUEUE.
 */
function required(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
}

class SandboxRequestClient extends twilio.RequestClient {
  readonly #origin = new URL(required('SANDBOX_URL')).origin;

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<HttpResponse.default<TData>> {
    const url = new URL(opts.uri);
    return super.request<TData>({ ...opts, uri: `${this.#origin}${url.pathname}${url.search}` });
  }
}

const concurrency = Number(required('CONCURRENCY'));
const httpClient = new SandboxRequestClient({
  timeout: 15_000,
  keepAlive: true,
  maxSockets: concurrency,
  maxTotalSockets: concurrency,
  maxFreeSockets: concurrency,
  autoRetry: false,
});
const client = twilio(required('TWILIO_ACCOUNT_SID'), required('TWILIO_AUTH_TOKEN'), { httpClient, autoRetry: false });
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
