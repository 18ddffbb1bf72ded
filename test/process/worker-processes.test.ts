import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import type { CampaignSpec } from '../../src/domain/campaign.js';
import { runIngest } from '../../src/ingest/run-ingest.js';
import { CampaignStore } from '../../src/queue/campaign-store.js';
import { type Keys, makeKeys } from '../../src/store/keys.js';
import { Ledger } from '../../src/store/ledger.js';
import { readLedger } from '../../src/store/read-ledger.js';
import { connectRedis } from '../../src/redis/redis-connection.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { readCounter, type RunningProcess, startWorkerProcess, type WorkerProcess } from '../helpers/processes.js';
import {
  deleteKeys,
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  testRedisUrl,
  uniquePrefix,
  waitForFinished,
} from '../helpers/stack.js';
import { testSpec } from '../helpers/campaign.js';
import { waitFor } from '../helpers/wait-for.js';

function writeCsv(rows: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'herald-procs-'));
  const path = join(dir, 'recipients.csv');
  const lines = ['phone,name'];
  for (let i = 0; i < rows; i++) lines.push(`+1415555${String(3000 + i)},N${i}`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

function campaignSpec(name: string): CampaignSpec {
  return testSpec({ campaign: name, from: ['+14155550100', '+14155550101'], mps: 1000, body: 'Hello {{name}}' });
}

describe('worker processes', () => {
  let connection: Redis;
  let keys: Keys;
  let store: CampaignStore;
  let ledger: Ledger;
  let sandbox: Sandbox;
  const running: RunningProcess[] = [];

  const workerEnv = (extra: Record<string, string> = {}) => ({
    REDIS_URL: testRedisUrl(),
    HERALD_PREFIX: keys.prefix,
    TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    HERALD_TWILIO_BASE_URL: sandbox.url,
    ...extra,
  });
  const start = async (extra: Record<string, string> = {}): Promise<WorkerProcess> => {
    const worker = await startWorkerProcess(workerEnv(extra));
    running.push(worker);
    return worker;
  };

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('procs'));
    store = new CampaignStore(connection, keys);
    ledger = new Ledger(connection, keys);
  });

  afterEach(async () => {
    for (const worker of running.splice(0)) {
      if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
      await worker.exited;
    }
    await sandbox?.close();
  });

  afterAll(async () => {
    await deleteKeys(connection, keys.prefix);
    await connection.quit();
  });

  it('two processes share one campaign and text every recipient exactly once', async () => {
    sandbox = await startSandbox({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN, latencyMs: 20 });
    const workers = await Promise.all([start(), start()]);
    const spec = campaignSpec('shared');
    const summary = await runIngest(
      { connection, keys, store, ledger },
      { file: writeCsv(150), spec, rejectedPath: join(tmpdir(), 'x.csv'), chunkSize: 50 },
    );
    expect(summary.queued).toBe(150);
    await waitForFinished(store, spec.name);

    const perTo = new Map<string, number>();
    for (const request of sandbox.requests())
      perTo.set(String(request.params['To']), (perTo.get(String(request.params['To'])) ?? 0) + 1);
    expect(perTo.size).toBe(150);
    expect([...perTo.values()].every((count) => count === 1)).toBe(true);

    const sentBy = await Promise.all(
      workers.map((worker) => readCounter(worker.metricsPort, 'herald_send_attempts_total', { outcome: 'sent' })),
    );
    expect(sentBy[0]! + sentBy[1]!).toBe(150);
    expect(Math.min(...sentBy)).toBeGreaterThan(0);
    // Campaign totals come from Redis and only one process exports them, so their sum is the whole count.
    const total = async (name: string) =>
      (
        await Promise.all(workers.map((worker) => readCounter(worker.metricsPort, name, { campaign: 'shared' })))
      ).reduce((sum, value) => sum + value);
    expect(await total('herald_messages_sent_total')).toBe(150);
    expect(await total('herald_messages_queued_total')).toBe(150);
  });

  it('on SIGTERM lets the sends in flight finish, then exits 0 leaving nothing half-done', async () => {
    sandbox = await startSandbox({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN, latencyMs: 1500 });
    const worker = await start({ HERALD_CONCURRENCY: '4' });
    const spec = campaignSpec('graceful');
    await runIngest(
      { connection, keys, store, ledger },
      { file: writeCsv(40), spec, rejectedPath: join(tmpdir(), 'y.csv'), chunkSize: 40 },
    );
    await waitFor(() => sandbox.requests().length >= 4, { what: 'four sends in flight' });

    worker.child.kill('SIGTERM');
    const exit = await worker.exited;
    expect(exit).toEqual({ code: 0, signal: null });

    const received = sandbox.requests().length;
    expect(received).toBeGreaterThanOrEqual(4);
    expect(received).toBeLessThan(40);
    const states = new Map<string, number>();
    for await (const entry of readLedger(connection, keys, spec.name))
      states.set(entry.state, (states.get(entry.state) ?? 0) + 1);
    expect(states.get('in-flight')).toBeUndefined();
    expect(states.get('sent')).toBe(received);
    expect(states.get('queued')).toBe(40 - received);
    expect(worker.output()).toContain('"msg":"stopped"');
  });

  it('fails at start-up with one readable line per bad setting, never echoing the token', async () => {
    sandbox = await startSandbox({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
    const cases: [Record<string, string | undefined>, RegExp][] = [
      [{ TWILIO_AUTH_TOKEN: undefined }, /^herald: config: TWILIO_AUTH_TOKEN is not set \(.*\)\n$/],
      [
        { REDIS_URL: 'localhost:6379' },
        /^herald: config: REDIS_URL is not a redis:\/\/, rediss:\/\/, redis\+cluster:\/\/ or redis\+sentinel:\/\/ URL\n$/,
      ],
      [
        { REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1:x' },
        /^herald: config: REDIS_CLUSTER_NODES "127\.0\.0\.1:x" has no valid port \(1–65535\)\n$/,
      ],
      [{ TWILIO_ACCOUNT_SID: 'AC123' }, /^herald: config: TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits\n$/],
      [{ HERALD_METRICS_PORT: '99999' }, /^herald: config: HERALD_METRICS_PORT is not a port \(0–65535\)\n$/],
      [{ REDIS_URL: 'redis://127.0.0.1:1' }, /^herald: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: .*\n$/],
      [
        { REDIS_CLUSTER_NODES: '127.0.0.1:1' },
        /^herald: cannot reach the Redis Cluster at redis\+cluster:\/\/127\.0\.0\.1:1: 127\.0\.0\.1:1: connect ECONNREFUSED 127\.0\.0\.1:1\n$/,
      ],
      // A seed that is a Redis without cluster mode: the run's own test server.
      [
        { REDIS_URL: testRedisUrl().replace('redis://', 'redis+cluster://') },
        /^herald: cannot reach the Redis Cluster at redis\+cluster:\/\/127\.0\.0\.1:\d+: 127\.0\.0\.1:\d+: ERR This instance has cluster support disabled\n$/,
      ],
    ];
    const { spawnNode, WORKER_ENTRY } = await import('../helpers/processes.js');
    // Side by side: each case is a process of its own that exits at start-up.
    const children = cases.map(([override]) => spawnNode([WORKER_ENTRY], { ...workerEnv(), ...override }));
    const exits = await Promise.all(children.map((child) => child.exited));
    for (const [index, [override, expected]] of cases.entries()) {
      const child = children[index]!;
      const exit = exits[index]!;
      expect({ override, code: exit.code, output: child.output() }).toEqual({
        override,
        code: 1,
        output: expect.stringMatching(expected),
      });
      expect(child.output()).not.toContain(TEST_AUTH_TOKEN);
    }
  });
});
