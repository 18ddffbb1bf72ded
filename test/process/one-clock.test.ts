import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';

import type { CampaignSpec } from '../../src/domain/campaign.js';
import { senderAddress, senderId } from '../../src/domain/sender.js';
import { runIngest } from '../../src/ingest/run-ingest.js';
import { CampaignStore } from '../../src/queue/campaign-store.js';
import { makeKeys, queueNameOf } from '../../src/store/keys.js';
import { Ledger } from '../../src/store/ledger.js';
import { connectRedis } from '../../src/redis/redis-connection.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { testSpec } from '../helpers/campaign.js';
import { ROOT, startWorkerProcess, type WorkerProcess } from '../helpers/processes.js';
import { deleteKeys, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, testRedisUrl, uniquePrefix } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait-for.js';

/** The worker's clock runs 7 hours fast, as in the report that found a window campaign sent at 13:04. */
const SKEW_MS = 7 * 3_600_000;
const HOUR_MS = 3_600_000;
/** +1 415 numbers are in San Francisco. */
const ZONE = 'America/Los_Angeles';
const RECIPIENTS = 3;

/** HH:MM in San Francisco at `at`. */
function localTime(at: number): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(at)
    .replace('24:', '00:');
}

describe('one clock: a worker whose own clock is 7 hours fast', () => {
  const prefix = uniquePrefix('clock');
  const keys = makeKeys(prefix);
  let connection: Redis;
  let sandbox: Sandbox;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    sandbox = await startSandbox({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
  });
  afterAll(async () => {
    await worker?.stop();
    await sandbox.close();
    await deleteKeys(connection, prefix);
    await connection.quit();
  });

  /** The one sender of a test campaign: its queue, and its address as the sandbox records it. */
  const sender = (spec: CampaignSpec) => spec.senders[0]!.sender;
  const queue = (spec: CampaignSpec) =>
    new Queue(queueNameOf(spec.name, senderId(sender(spec))), { connection, prefix });
  /** The campaign's jobs once the worker has taken each at least once and put it back to wait. */
  const heldBack = async (spec: CampaignSpec): Promise<Job[]> => {
    const jobs = queue(spec);
    try {
      return await waitFor(
        async () => {
          const delayed = await jobs.getJobs(['delayed']);
          return delayed.length === RECIPIENTS && delayed.every((job) => job.attemptsStarted >= 1) && delayed;
        },
        { what: `${spec.name}'s jobs to be taken and held back`, detail: () => jobs.getJobCounts() },
      );
    } finally {
      await jobs.close();
    }
  };
  const textsFrom = (spec: CampaignSpec) =>
    sandbox.requests().filter((request) => request.params['From'] === senderAddress(sender(spec))).length;

  it('sends a --window campaign only inside its window and a --send-at campaign only at its time, by Redis’s clock', async () => {
    const now = Date.now();
    const campaigns = {
      // Closed now; open by the worker's own clock.
      closed: testSpec({
        campaign: 'closed',
        from: ['+14155550140'],
        mps: 10,
        body: 'Hi {{name}}',
        window: `${localTime(now + 6 * HOUR_MS)}-${localTime(now + 8 * HOUR_MS)}`,
      }),
      // Open now; closed by the worker's own clock.
      open: testSpec({
        campaign: 'open',
        from: ['+14155550141'],
        mps: 10,
        body: 'Hi {{name}}',
        window: `${localTime(now - HOUR_MS)}-${localTime(now + HOUR_MS)}`,
      }),
      // Due in an hour; overdue by the worker's own clock.
      later: testSpec({ campaign: 'later', from: ['+14155550142'], mps: 10, body: 'Hi {{name}}' }),
    };
    const deps = { connection, keys, store: new CampaignStore(connection, keys), ledger: new Ledger(connection, keys) };
    for (const [index, spec] of Object.values(campaigns).entries()) {
      const file = join(mkdtempSync(join(tmpdir(), 'herald-clock-')), 'r.csv');
      const rows = Array.from({ length: RECIPIENTS }, (_, row) => `+1415559${index}${String(100 + row)},N${row}`);
      writeFileSync(file, ['phone,name', ...rows].join('\n'));
      await runIngest(deps, {
        file,
        spec,
        rejectedPath: join(tmpdir(), `${prefix}.rejected.csv`),
        chunkSize: 100,
        ...(spec === campaigns.later ? { startAt: new Date(now + HOUR_MS) } : {}),
      });
    }

    worker = await startWorkerProcess(
      {
        REDIS_URL: testRedisUrl(),
        HERALD_PREFIX: prefix,
        TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
        HERALD_TWILIO_BASE_URL: sandbox.url,
        HERALD_TEST_CLOCK_SKEW_MS: String(SKEW_MS),
      },
      { nodeFlags: ['--import', join(ROOT, 'test', 'helpers', 'skewed-clock.mjs')] },
    );

    await waitFor(() => textsFrom(campaigns.open) === RECIPIENTS, {
      what: 'the campaign whose window is open to be sent',
      detail: () => textsFrom(campaigns.open),
    });
    const [closed, later] = await Promise.all([heldBack(campaigns.closed), heldBack(campaigns.later)]);
    expect([textsFrom(campaigns.closed), textsFrom(campaigns.later)]).toEqual([0, 0]);
    // Each waits for its time by the real clock: the window opens in 6 hours, the start is in an hour.
    const elapsed = Date.now() - now;
    for (const job of closed) expect(job.delay).toBeGreaterThan(6 * HOUR_MS - elapsed - 60_000);
    for (const job of closed) expect(job.delay).toBeLessThanOrEqual(6 * HOUR_MS);
    for (const job of later) expect(job.delay).toBeGreaterThan(HOUR_MS - elapsed - 1000);
    for (const job of later) expect(job.delay).toBeLessThanOrEqual(HOUR_MS);
    // It did run 7 hours fast.
    expect(worker.output()).toMatch(/"time":(\d+)/);
    const logged = Number(/"time":(\d+)/.exec(worker.output())?.[1]);
    expect(logged - Date.now()).toBeGreaterThan(SKEW_MS - 60_000);
  }, 60_000);
});
