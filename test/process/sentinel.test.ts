import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

import type { CampaignName } from '../../src/domain/campaign.js';
import { type LocalRedisSentinel, startLocalRedisSentinel } from '../../src/local/redis-sentinel.js';
import { CampaignStore } from '../../src/queue/campaign-store.js';
import { makeKeys, queueNameOf } from '../../src/store/keys.js';
import { readLedger } from '../../src/store/read-ledger.js';
import { connectConfiguredRedis, type RedisClient } from '../../src/queue/redis-connection.js';
import type { SandboxRequest } from '../../src/sandbox/index.js';
import {
  HERALD_BIN,
  type SandboxProcess,
  readCounter,
  spawnNode,
  startTestSandboxProcess,
  startWorkerProcess,
  type WorkerProcess,
} from '../helpers/processes.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, uniquePrefix, waitForFinished } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait-for.js';

const ROWS = 200;

/** One command to one server of the setup, apart from herald's connections. */
async function ask<T>(port: number, command: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
  try {
    return await command(client);
  } finally {
    client.disconnect();
  }
}

describe('herald behind Redis Sentinel', () => {
  let sentinel: LocalRedisSentinel;
  let connection: RedisClient;
  let sandbox: SandboxProcess | undefined;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    // Its master refuses writes while no replica follows it (min-replicas-to-write 1), as docs/operating.md asks.
    sentinel = await startLocalRedisSentinel({ replicas: 1, sentinels: 1 });
    connection = await connectConfiguredRedis({ redisUrl: sentinel.url }, { role: 'command' });
  }, 60_000);
  afterAll(async () => {
    for (const worker of workers) await worker.stop('SIGKILL');
    await sandbox?.stop();
    connection?.disconnect();
    await sentinel?.stop();
  });

  it('rides out a failover of the master mid-campaign: the campaign completes and nobody is texted twice', async () => {
    const prefix = uniquePrefix('sentinel');
    const name = 'failover' as CampaignName;
    sandbox = await startTestSandboxProcess({ latencyMs: 20 });
    const env = { REDIS_URL: sentinel.url, HERALD_PREFIX: prefix };
    // Side by side: a worker spends its start loading modules. Each is kept as it comes up, for afterAll to stop.
    await Promise.all(
      [0, 1].map(async () => {
        workers.push(
          await startWorkerProcess({
            ...env,
            TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
            TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
            HERALD_TWILIO_BASE_URL: sandbox!.url,
            LOG_LEVEL: 'warn',
          }),
        );
      }),
    );
    const file = join(mkdtempSync(join(tmpdir(), 'herald-sentinel-')), 'r.csv');
    const rows = Array.from({ length: ROWS }, (_, index) => `+1415558${String(1000 + index)},N${index}`);
    writeFileSync(file, ['phone,name', ...rows].join('\n'));
    const producer = spawnNode(
      [HERALD_BIN, 'send', file, '--campaign', name, '--from', '+14155550130', '--from', '+14155550131'].concat([
        '--mps',
        '50',
        '--body',
        'Sentinel {{name}}',
        // Not about the compliance rules: it must send at any hour.
        '--transactional',
        '--rejected',
        join(tmpdir(), `${prefix}.rejected.csv`),
      ]),
      env,
    );
    const created = async () =>
      (await sandbox!.inspect<{ requests: SandboxRequest[] }>('/sandbox/requests')).requests.filter(
        (request) => request.status === 201,
      );
    // Mid-campaign: sends are flowing.
    await waitFor(async () => (await created()).length >= 30, { what: '30 sends before the failover' });
    const { from, to } = await sentinel.failover();
    expect(to.port).not.toBe(from.port);
    expect((await sentinel.master()).port).toBe(to.port);

    expect(await producer.exited).toMatchObject({ code: 0 });
    const store = new CampaignStore(connection, makeKeys(prefix));
    await waitForFinished(store, name, 60_000).catch(async (error: unknown) => {
      // Where the recipients still queued are: their jobs' states (job id = the number).
      const left: string[] = [];
      for await (const entry of readLedger(connection, makeKeys(prefix), name)) {
        if (entry.state !== 'queued' && entry.state !== 'in-flight') continue;
        const queue = new Queue(queueNameOf(name, 'senderId' in entry ? entry.senderId : '?'), { connection, prefix });
        const job = await queue.getJob(entry.to);
        left.push(`${entry.to} ${entry.state}: job ${job === undefined ? 'missing' : await job.getState()}`);
        await queue.close();
      }
      throw new Error(`${String(error)}; left: ${left.join(', ')}`);
    });

    const texts = new Map<string, number>();
    for (const request of await created())
      texts.set(String(request.params['To']), (texts.get(String(request.params['To'])) ?? 0) + 1);
    const states: Record<string, number> = {};
    let sentWithoutText = 0;
    const reasons: Record<string, number> = {};
    for await (const entry of readLedger(connection, makeKeys(prefix), name)) {
      states[entry.state] = (states[entry.state] ?? 0) + 1;
      if (entry.state === 'unknown') reasons[entry.reason] = (reasons[entry.reason] ?? 0) + 1;
      if (entry.state === 'sent' && !texts.has(entry.to)) sentWithoutText++;
    }
    // The cost of the failover, for docs/operating.md: the longest pause in sending.
    const arrivals = (await created()).map((request) => request.receivedAt).sort((a, b) => a - b);
    const longestPauseMs = Math.max(...arrivals.slice(1).map((at, index) => at - arrivals[index]!));
    console.info(`failover cost: ${JSON.stringify({ states, reasons, longestPauseMs })}`);
    expect([...texts].filter(([, count]) => count > 1)).toEqual([]);
    expect(workers.map((worker) => worker.output())).not.toContainEqual(
      expect.stringContaining('min-replicas-to-write'),
    );
    expect(sentWithoutText).toBe(0);
    expect(states['queued']).toBeUndefined();
    expect(states['in-flight']).toBeUndefined();
    expect(Object.values(states).reduce((sum, count) => sum + count, 0)).toBe(ROWS);
    // The ledger's writes waited for the replica (HERALD_REPLICA_WAIT_MS), as on a Cluster, until the failover.
    const waits = /cmdstat_wait:calls=(\d+)/.exec(await ask(from.port, (client) => client.info('commandstats')));
    expect(Number(waits?.[1] ?? 0)).toBeGreaterThan(0);
  }, 120_000);
  it('runs a job again rather than complete it when no replica confirmed its settle, and texts each recipient once', async () => {
    const prefix = uniquePrefix('sentinel-unconfirmed');
    const name = 'unconfirmed' as CampaignName;
    const master = await sentinel.master();
    const replica = sentinel.servers.find((server) => server.port !== master.port)!;
    sandbox ??= await startTestSandboxProcess({ latencyMs: 20 });
    const env = { REDIS_URL: sentinel.url, HERALD_PREFIX: prefix, HERALD_REPLICA_WAIT_MS: '200' };
    const worker = await startWorkerProcess({
      ...env,
      TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      HERALD_TWILIO_BASE_URL: sandbox.url,
      LOG_LEVEL: 'warn',
    });
    workers.push(worker);
    const file = join(mkdtempSync(join(tmpdir(), 'herald-sentinel-')), 'r.csv');
    writeFileSync(file, ['phone', '+14155582001', '+14155582002', '+14155582003'].join('\n'));
    // Queued while the replica answers; sent at `sendAt`, just after it stops answering, and well before the
    // master's min-replicas-max-lag (10 s) would make it refuse writes.
    const sendAt = Date.now() + 12_000;
    const producer = spawnNode(
      [HERALD_BIN, 'send', file, '--campaign', name, '--from', '+14155550140', '--mps', '50', '--body', 'Hi'].concat([
        '--send-at',
        new Date(sendAt).toISOString(),
        '--transactional',
        '--rejected',
        join(tmpdir(), `${prefix}.rejected.csv`),
      ]),
      env,
    );
    expect(await producer.exited).toMatchObject({ code: 0 });
    expect(Date.now()).toBeLessThan(sendAt - 1000);
    await sleep(sendAt - 500 - Date.now());
    replica.process.kill('SIGSTOP');
    const skipped = () =>
      readCounter(worker.metricsPort, 'herald_send_attempts_total', { campaign: name, outcome: 'skipped' });
    try {
      await waitForFinished(new CampaignStore(connection, makeKeys(prefix)), name, 8000);
      // Each settle went unconfirmed, so each job was run again a second later, found its recipient settled, and
      // only then completed.
      await waitFor(async () => (await skipped()) >= 3, { what: 'each job to run again', timeout: 8000 });
    } finally {
      replica.process.kill('SIGCONT');
    }
    expect(
      await readCounter(worker.metricsPort, 'herald_send_attempts_total', { campaign: name, outcome: 'sent' }),
    ).toBe(3);
    expect(await skipped()).toBe(3);
    const texts = (await sandbox.inspect<{ requests: SandboxRequest[] }>('/sandbox/requests')).requests
      .filter((request) => request.status === 201 && String(request.params['From']) === '+14155550140')
      .map((request) => String(request.params['To']));
    expect(texts.sort()).toEqual(['+14155582001', '+14155582002', '+14155582003']);
    // The send that finished the campaign did not say so (its settle was not confirmed); the workers' next look at
    // the active campaigns let it go.
    const keys = makeKeys(prefix);
    await waitFor(async () => (await connection.sismember(keys.activeCampaigns, name)) === 0, {
      what: 'the finished campaign to be let go',
    });
  }, 60_000);
});
