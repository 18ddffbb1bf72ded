import { join } from 'node:path';

import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

import { buildCampaignSpec } from '../../../src/cli/campaign-options.js';
import { parseRateGroupsFile } from '../../../src/domain/rate-group-file.js';
import type { RateGroups } from '../../../src/domain/rate-group.js';
import { runIngest } from '../../../src/ingest/run-ingest.js';
import { RateGroupsStore } from '../../../src/rate/rate-groups-store.js';
import {
  type ChildHandle,
  HERALD_ROOT,
  type SpawnOptions,
  spawnNode,
  startSandboxProcess,
  startWorkerProcess,
} from '../../../src/local/herald-processes.js';
import { CampaignStore } from '../../../src/queue/campaign-store.js';
import { makeKeys } from '../../../src/store/keys.js';
import { Ledger } from '../../../src/store/ledger.js';
import { cpuPerMessage, type CpuPerMessage, snapshotCpu } from './cpu-time.js';
import { measureBetween } from './rate-between.js';

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
  /**
   * Profile every sending process with `node --cpu-prof`, writing into this folder; they are then stopped with
   * SIGTERM (a profile is written on exit), not killed.
   */
  cpuProfileDir?: string;
  /**
   * herald only: send from a 10DLC pool of this many numbers with no limit of their own (one rate group), instead of
   * one number; each recipient keeps the number rendezvous hashing gives it. 1 unless given.
   */
  poolSize?: number;
  /**
   * herald only: give each number of the pool a limit of its own (as toll-free numbers have), so that each is a lane
   * and a queue of its own, instead of none (one lane for the pool). The limits are too high for any run to reach.
   */
  ownLimits?: boolean;
}

/** One side's figures: messages/s, and the CPU each part spent per message, over the same 10%–90% stretch. */
export interface SendMeasure {
  rate: number;
  cpu: CpuPerMessage;
  /** Redis connections the sending processes held at 90% sent, per process (CLIENT LIST). */
  connectionsPerProcess: number;
}

const ACCOUNT_SID = `AC${'5e0d'.repeat(8)}`;
const AUTH_TOKEN = 'bench-token-not-a-secret';
const FROM = '+14155550100';
export const SEND_BODY = 'Hi {{first_name}}, your code is {{code}}';
const BARE_SENDER = join(HERALD_ROOT, 'dist', 'scripts', 'bench', 'lib', 'bare-sender.js');

/** The pool's numbers: FROM alone, or `size` long codes from FROM on. */
function poolNumbers(size: number): string[] {
  return Array.from({ length: size }, (_, index) => `+1415${5_550_100 + index}`);
}

/** One pool of the numbers, with or without limits of their own, at rates no run reaches. */
function poolGroups(numbers: readonly string[], ownLimits: boolean): RateGroups {
  const memberLimit = ownLimits ? '10000/s' : 'none';
  const parsed = parseRateGroupsFile(
    JSON.stringify({
      groups: [{ name: 'bench-pool', kind: 'pool', limit: '100000/s', memberLimit, senders: numbers }],
    }),
  );
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.groups;
}

/** How a run's sending processes are started and stopped, profiled or not. */
function profiling(run: SendRun): { spawn: SpawnOptions; stopSignal: NodeJS.Signals } {
  return run.cpuProfileDir === undefined
    ? { spawn: {}, stopSignal: 'SIGKILL' }
    : { spawn: { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${run.cpuProfileDir}`] }, stopSignal: 'SIGTERM' };
}

/** Measures `count` (messages sent so far) between 10% and 90% of the run, with the CPU of each part. */
async function measureSend(
  run: SendRun,
  workers: readonly ChildHandle[],
  sandbox: ChildHandle,
  count: () => Promise<number>,
  what: string,
): Promise<SendMeasure> {
  const pids = workers.map((worker) => worker.child.pid);
  const snapshot = () => snapshotCpu(run.connection, pids, sandbox.child.pid);
  const sent = async () => {
    // A process that died would leave the count short for good; stop at once rather than wait out the deadline.
    const dead = workers.find((worker) => worker.child.exitCode !== null || worker.child.signalCode !== null);
    if (dead !== undefined) throw new Error(`a ${what} process exited: ${dead.output().slice(-1000)}`);
    return count();
  };
  const between = await measureBetween(sent, run.recipients, what, snapshot);
  // Every client but this script's own connection is a sending process's (the sandbox does not use Redis).
  const clients =
    String(await run.connection.client('LIST'))
      .trim()
      .split('\n').length - 1;
  return {
    rate: between.rate,
    cpu: cpuPerMessage(between.low, between.high, between.messages),
    connectionsPerProcess: clients / workers.length,
  };
}

/** herald's figures. */
export async function runHeraldSend(run: SendRun): Promise<SendMeasure> {
  const { connection, redisUrl, file, dir, recipients } = run;
  await connection.flushall();
  const keys = makeKeys('herald');
  const pool = poolNumbers(run.poolSize ?? 1);
  if (pool.length > 1) await new RateGroupsStore(connection, keys).apply(poolGroups(pool, run.ownLimits ?? false));
  const built = buildCampaignSpec(
    {
      campaign: `bench-${run.label}`,
      from: pool,
      ...(pool.length > 1 ? {} : { mps: 100_000 }),
      body: SEND_BODY,
      media: [],
      toColumn: 'phone',
      transactional: true,
    },
    new Date(),
  );
  if (!built.ok) throw new Error(built.reason);
  const summary = await runIngest(
    { connection, keys, store: new CampaignStore(connection, keys), ledger: new Ledger(connection, keys) },
    { file, spec: built.spec, rejectedPath: join(dir, 'rejected.csv'), chunkSize: 1000 },
  );
  if (summary.queued !== recipients) throw new Error(`herald queued ${summary.queued} of ${recipients}`);
  const sandbox = await startSandboxProcess({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const profile = profiling(run);
  const workers = await Promise.all(
    Array.from({ length: run.workers }, () =>
      startWorkerProcess(
        {
          REDIS_URL: redisUrl,
          TWILIO_ACCOUNT_SID: ACCOUNT_SID,
          TWILIO_AUTH_TOKEN: AUTH_TOKEN,
          HERALD_TWILIO_BASE_URL: sandbox.url,
          HERALD_CONCURRENCY: String(run.concurrency),
          HERALD_MAX_IN_FLIGHT: String(run.concurrency),
          LOG_LEVEL: 'warn',
        },
        profile.spawn,
      ),
    ),
  );
  try {
    const counts = keys.counts(built.spec.name);
    const sent = async () => Number((await connection.hget(counts, 'sent')) ?? 0);
    return await measureSend(run, workers, sandbox, sent, 'herald');
  } finally {
    await Promise.all(workers.map((worker) => worker.stop(profile.stopSignal)));
    await sandbox.stop();
  }
}

/** The baseline's figures. */
export async function runBareSend(run: SendRun): Promise<SendMeasure> {
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
  const profile = profiling(run);
  const workers: ChildHandle[] = Array.from({ length: run.workers }, () =>
    spawnNode(
      [BARE_SENDER],
      {
        REDIS_URL: redisUrl,
        SANDBOX_URL: sandbox.url,
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: AUTH_TOKEN,
        CONCURRENCY: String(run.concurrency),
        QUEUE: name,
      },
      profile.spawn,
    ),
  );
  try {
    const completed = async () => {
      // A failed send would never complete; stop at once rather than wait out the deadline.
      const failed = await connection.zcard(`bull:${name}:failed`);
      if (failed > 0) throw new Error(`the baseline failed ${failed} sends: ${workers[0]?.output().slice(-1000)}`);
      return connection.zcard(`bull:${name}:completed`);
    };
    return await measureSend(run, workers, sandbox, completed, 'baseline');
  } finally {
    await Promise.all(workers.map((worker) => worker.stop(profile.stopSignal)));
    await sandbox.stop();
  }
}
