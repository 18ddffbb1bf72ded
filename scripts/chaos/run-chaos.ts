import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { buildCampaignSpec } from '../../src/cli/campaign-options.js';
import type { CampaignName } from '../../src/domain/campaign.js';
import { runIngest } from '../../src/ingest/run-ingest.js';
import { findFreePort } from '../../src/local/free-port.js';
import {
  type ChildHandle,
  spawnNode,
  startSandboxProcess,
  waitForHttpOk,
  WORKER_ENTRY,
} from '../../src/local/herald-processes.js';
import { type LocalRedis, startLocalRedis } from '../../src/local/redis-server.js';
import type { SandboxRequest } from '../../src/sandbox/index.js';
import { CampaignStore } from '../../src/queue/campaign-store.js';
import { makeKeys } from '../../src/store/keys.js';
import { Ledger } from '../../src/store/ledger.js';
import type { RecipientState } from '../../src/store/ledger-state.js';
import { readLedger } from '../../src/store/read-ledger.js';
import { connectRedis } from '../../src/redis/redis-connection.js';
import { writeRecipientsCsv } from '../bench/lib/recipients-csv.js';
import { type ChaosTally, tallyChaos } from './tally.js';

export interface ChaosOptions {
  recipients: number;
  workers: number;
  /** One worker is SIGKILLed and restarted this often. */
  killEveryMs: number;
  /**
   * Kills stop once this share of the recipients is settled: every kill leaves its jobs to BullMQ's stall check
   * (about a minute), so killing to the last recipient only makes the tail longer, not the test harder.
   */
  killUntil: number;
  /** Redis is restarted (on the same AOF) once this share of the recipients is settled. */
  redisRestartAt: number;
  /** The sender's rate, messages per second. */
  mps: number;
  /** The sandbox's answer time, so that kills land on requests in flight. */
  latencyMs: number;
  faults: { rate429: number; rate500: number; acceptThenDrop: number; seed: number };
  /** HERALD_RECONCILE_PATIENCE_MS of the workers; absent, their default. */
  reconcilePatienceMs?: number;
  /**
   * HERALD_LOCK_DURATION_MS and HERALD_STALLED_INTERVAL_MS of the workers; absent, their defaults (30 s each). A
   * killed worker's jobs are back in the queue within the lock plus two stalled checks, so these set how long the
   * run waits after each kill.
   */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Give up (and count what is left as lost) after this long. */
  timeoutMs: number;
  log: (line: string) => void;
}

export interface ChaosReport extends ChaosTally {
  kills: number;
  redisRestarts: number;
  seconds: number;
  /** Requests the sandbox answered with each injected fault. */
  injected: Record<string, number>;
}

const ACCOUNT_SID = `AC${'c4a0'.repeat(8)}`;
const AUTH_TOKEN = 'chaos-token-not-a-secret';
const FROM = '+14155550100';

/**
 * A campaign run while things break: worker processes are SIGKILLed and restarted, Redis restarts once (AOF on), and
 * the sandbox refuses or cuts off a share of the creates. The sandbox's own record of what it accepted is the
 * ground truth the result is tallied against, not herald's ledger.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'herald-chaos-'));
  const file = join(dir, 'recipients.csv');
  await writeRecipientsCsv(file, options.recipients, 0);
  let redis: LocalRedis = await startLocalRedis({ install: true, appendOnly: true, dir: join(dir, 'redis') });
  const { faults } = options;
  const sandbox = await startSandboxProcess({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    latencyMs: options.latencyMs,
    flags: [
      ...['--fault-429', String(faults.rate429), '--fault-500', String(faults.rate500)],
      ...['--fault-drop', String(faults.acceptThenDrop), '--seed', String(faults.seed)],
    ],
    logFile: join(dir, 'sandbox.log'),
  });
  const env = {
    REDIS_URL: redis.url,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    HERALD_TWILIO_BASE_URL: sandbox.url,
    HERALD_SHUTDOWN_TIMEOUT_MS: '2000',
    LOG_LEVEL: 'warn',
    ...(options.reconcilePatienceMs === undefined
      ? {}
      : { HERALD_RECONCILE_PATIENCE_MS: String(options.reconcilePatienceMs) }),
    ...(options.lockDurationMs === undefined ? {} : { HERALD_LOCK_DURATION_MS: String(options.lockDurationMs) }),
    ...(options.stalledIntervalMs === undefined
      ? {}
      : { HERALD_STALLED_INTERVAL_MS: String(options.stalledIntervalMs) }),
  };
  // On a loaded machine a worker can take longer than the usual 15 s to come up; it gets a minute, then another try.
  const startWorker = async (index: number): Promise<ChildHandle> => {
    for (let attempt = 1; ; attempt++) {
      const port = await findFreePort();
      const worker = spawnNode(
        [WORKER_ENTRY],
        { ...env, HERALD_METRICS_PORT: String(port), HERALD_METRICS_HOST: '127.0.0.1' },
        { logFile: join(dir, `worker-${index}.log`) },
      );
      try {
        await waitForHttpOk(`http://127.0.0.1:${port}/readyz`, worker, `worker ${index}`, 60_000);
        return worker;
      } catch (error) {
        await worker.stop('SIGKILL');
        if (attempt >= 3) throw error;
        options.log(`worker ${index} did not become ready; starting it again`);
      }
    }
  };
  const workers: ChildHandle[] = [];
  const connection = await connectRedis(redis.url, { role: 'worker' });
  const keys = makeKeys('herald');
  const store = new CampaignStore(connection, keys);
  const built = buildCampaignSpec(
    {
      campaign: 'chaos',
      from: [FROM],
      mps: options.mps,
      body: 'Hi {{first_name}}, your code is {{code}}',
      media: [],
      toColumn: 'phone',
      // Sent at any hour: not about the compliance rules.
      transactional: true,
    },
    new Date(),
  );
  if (!built.ok) throw new Error(built.reason);
  const campaign = built.spec.name as CampaignName;
  let kills = 0;
  let redisRestarts = 0;
  let restarting: Promise<void> | undefined;
  let restartFailure: unknown;
  try {
    workers.push(...(await Promise.all(Array.from({ length: options.workers }, (_, index) => startWorker(index)))));
    await runIngest(
      { connection, keys, store, ledger: new Ledger(connection, keys) },
      { file, spec: built.spec, rejectedPath: join(dir, 'rejected.csv'), chunkSize: 1000 },
    );
    options.log(`queued ${options.recipients} recipients; ${options.workers} workers; chaos starts`);

    let nextKill = Date.now() + options.killEveryMs;
    let finished = false;
    while (!finished && Date.now() - started < options.timeoutMs) {
      await sleep(200);
      if (restartFailure !== undefined) throw restartFailure;
      const counts = await store.counts(campaign).catch(() => undefined);
      if (counts === undefined) continue;
      const settled = (counts['sent'] ?? 0) + (counts['failed'] ?? 0) + (counts['unknown'] ?? 0);
      finished = (await store.get(campaign).catch(() => undefined))?.state === 'finished';
      if (redisRestarts === 0 && settled >= options.recipients * options.redisRestartAt) {
        // SIGKILL, not a shutdown: nothing is flushed on the way out, as in a crash of the process. (What AOF's
        // everysec can lose is what the OS had not written when the machine itself went down; see
        // docs/delivery-guarantees.md.)
        options.log(`killing Redis (SIGKILL) at ${settled} settled and restarting it on its AOF`);
        const { port, dir: data } = redis;
        redis.process.kill('SIGKILL');
        await redis.stop();
        await sleep(500);
        redis = await startLocalRedis({ appendOnly: true, dir: data, port });
        redisRestarts += 1;
      }
      if (
        !finished &&
        restarting === undefined &&
        settled < options.recipients * options.killUntil &&
        Date.now() >= nextKill
      ) {
        const index = kills % workers.length;
        kills += 1;
        options.log(`killing worker ${index} (${kills} kills, ${settled} settled)`);
        // The replacement starts while this loop goes on watching, so that a slow start (seconds on a loaded
        // machine) neither delays Redis's restart past its mark nor lets the others finish unwatched.
        restarting = workers[index]!.stop('SIGKILL')
          .then(() => startWorker(index))
          .then(
            (worker) => {
              workers[index] = worker;
              nextKill = Date.now() + options.killEveryMs;
              restarting = undefined;
            },
            (error: unknown) => {
              restartFailure = error;
            },
          );
      }
    }
    await restarting;

    const { requests } = await sandbox.inspect<{ requests: SandboxRequest[] }>('/sandbox/requests');
    const ledger = new Map<string, RecipientState>();
    for await (const { to, ...state } of readLedger(connection, keys, campaign)) ledger.set(to, state);
    const injected: Record<string, number> = {};
    for (const request of requests) {
      if (request.fault !== undefined) injected[request.fault] = (injected[request.fault] ?? 0) + 1;
    }
    const recipients = Array.from({ length: options.recipients }, (_, row) => `+1212${2_000_000 + row}`);
    return {
      ...tallyChaos(recipients, requests, ledger),
      kills,
      redisRestarts,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      injected,
    };
  } finally {
    await restarting;
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await sandbox.stop();
    connection.disconnect();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
