import { join } from 'node:path';

import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

import { buildCampaignSpec } from '../../../src/cli/campaign-options.js';
import { runIngest } from '../../../src/ingest/run-ingest.js';
import {
  type ChildHandle,
  HERALD_ROOT,
  spawnNode,
  startSandboxProcess,
  startWorkerProcess,
} from '../../../src/local/herald-processes.js';
import { CampaignStore } from '../../../src/queue/campaign-store.js';
import { makeKeys } from '../../../src/queue/keys.js';
import { Ledger } from '../../../src/queue/ledger.js';
import { rateBetween } from './rate-between.js';

/**
 * One send-overhead run of each side, shared by bench:send and bench:scaling: herald's worker processes on a sender
 * with no effective limit (100,000 MPS), or bare BullMQ Workers that only call `messages.create` (bare-sender.ts),
 * against a fresh sandbox that answers at once, on a Redis flushed first. Jobs are queued before the workers start;
 * the rate is taken between 10% and 90% sent, so process start-up and the tail are not counted.
 */
export interface SendRun {
  connection: Redis;
  redisUrl: string;
  /** The generated CSV (lib/recipients-csv.ts, no bad rows) of `recipients` rows. */
  file: string;
  dir: string;
  recipients: number;
  workers: number;
  concurrency: number;
  /** Names this run's campaign or queue. */
  label: string;
}

const ACCOUNT_SID = `AC${'5e0d'.repeat(8)}`;
const AUTH_TOKEN = 'bench-token-not-a-secret';
const FROM = '+14155550100';
export const SEND_BODY = 'Hi {{first_name}}, your code is {{code}}';
const BARE_SENDER = join(HERALD_ROOT, 'dist', 'scripts', 'bench', 'lib', 'bare-sender.js');

/** herald's messages/s. */
export async function runHeraldSend(run: SendRun): Promise<number> {
  const { connection, redisUrl, file, dir, recipients } = run;
  await connection.flushall();
  const keys = makeKeys('herald');
  const built = buildCampaignSpec(
    { campaign: `bench-${run.label}`, from: [FROM], mps: 100_000, body: SEND_BODY, media: [], toColumn: 'phone' },
    new Date(),
  );
  if (!built.ok) throw new Error(built.reason);
  const summary = await runIngest(
    { connection, keys, store: new CampaignStore(connection, keys), ledger: new Ledger(connection, keys) },
    { file, spec: built.spec, rejectedPath: join(dir, 'rejected.csv'), chunkSize: 1000 },
  );
  if (summary.queued !== recipients) throw new Error(`herald queued ${summary.queued} of ${recipients}`);
  const sandbox = await startSandboxProcess({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const workers = await Promise.all(
    Array.from({ length: run.workers }, () =>
      startWorkerProcess({
        REDIS_URL: redisUrl,
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: AUTH_TOKEN,
        HERALD_TWILIO_BASE_URL: sandbox.url,
        HERALD_CONCURRENCY: String(run.concurrency),
        HERALD_MAX_IN_FLIGHT: String(run.concurrency),
        LOG_LEVEL: 'warn',
      }),
    ),
  );
  try {
    const counts = keys.counts(built.spec.name);
    return await rateBetween(async () => Number((await connection.hget(counts, 'sent')) ?? 0), recipients, 'herald');
  } finally {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await sandbox.stop();
  }
}

/** The baseline's messages/s. */
export async function runBareSend(run: SendRun): Promise<number> {
  const { connection, redisUrl, recipients } = run;
  await connection.flushall();
  const name = `bare-${run.label}`;
  const queue = new Queue(name, { connection });
  for (let start = 0; start < recipients; start += 1000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1000, recipients - start) }, (_, index) => {
        const row = start + index;
        // The same numbers and rendered text the generated CSV gives herald.
        const to = `+1212${2_000_000 + row}`;
        const body = `Hi Name${row % 9973}, your code is C${(row * 7919) % 1_000_000}`;
        return { name: 'send', data: { to, from: FROM, body }, opts: { jobId: to } };
      }),
    );
  }
  await queue.close();
  const sandbox = await startSandboxProcess({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const workers: ChildHandle[] = Array.from({ length: run.workers }, () =>
    spawnNode([BARE_SENDER], {
      REDIS_URL: redisUrl,
      SANDBOX_URL: sandbox.url,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      CONCURRENCY: String(run.concurrency),
      QUEUE: name,
    }),
  );
  try {
    return await rateBetween(
      async () => {
        // A failed send would never complete; stop at once rather than wait out the deadline.
        const failed = await connection.zcard(`bull:${name}:failed`);
        if (failed > 0) throw new Error(`the baseline failed ${failed} sends: ${workers[0]?.output().slice(-1000)}`);
        return connection.zcard(`bull:${name}:completed`);
      },
      recipients,
      'baseline',
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await sandbox.stop();
  }
}
