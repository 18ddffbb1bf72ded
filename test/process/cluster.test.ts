import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';

import type { CampaignName } from '../../src/domain/campaign.js';
import type { E164 } from '../../src/domain/e164.js';
import { achievedRate, type Arrival } from '../../src/domain/achieved-rate.js';
import { type ClusterNode, type LocalRedisCluster, startLocalRedisCluster } from '../../src/local/redis-cluster.js';
import type { SandboxRequest } from '../../src/sandbox/index.js';
import { CampaignStore } from '../../src/queue/campaign-store.js';
import { type Keys, makeKeys, queueNameOf } from '../../src/store/keys.js';
import { Ledger } from '../../src/store/ledger.js';
import { readLedger } from '../../src/store/read-ledger.js';
import { ReceiptStore } from '../../src/receipts/receipt-store.js';
import { ParkableQueue } from '../../src/send/parked-queues.js';
import { QueueWakeups } from '../../src/store/queue-wakeups.js';
import { statusStep } from '../../src/receipts/status-order.js';
import { connectConfiguredRedis, type RedisClient } from '../../src/redis/redis-connection.js';
import {
  HERALD_BIN,
  readCounter,
  type SandboxProcess,
  spawnNode,
  startTestSandboxProcess,
  startWorkerProcess,
  type WorkerProcess,
} from '../helpers/processes.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, uniquePrefix, waitForFinished } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait-for.js';

/** The job lock and stalled check of the "machine lost" case: a dead worker's jobs are back within 3 + 2 × 1 s. */
const LOCK_MS = 3000;
const ROWS = 600;
const STALLED_MS = 1000;

function writeCsv(rows: number, first: number): string {
  const path = join(mkdtempSync(join(tmpdir(), 'herald-cluster-')), 'recipients.csv');
  const lines = ['phone,name'];
  for (let i = 0; i < rows; i++) lines.push(`+1415555${String(first + i)},N${i}`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** What a campaign's ledger holds, by state. */
async function ledgerStates(connection: RedisClient, keys: Keys, campaign: string): Promise<Record<string, number>> {
  const states: Record<string, number> = {};
  for await (const entry of readLedger(connection, keys, campaign as CampaignName)) {
    states[entry.state] = (states[entry.state] ?? 0) + 1;
  }
  return states;
}

/**
 * The ledger against the sandbox's record (the ground truth of what Twilio received): recipients texted more than
 * once, recipients the ledger calls sent whose text never arrived, and unknown recipients that did get their text.
 */
async function compareWithSandbox(
  connection: RedisClient,
  keys: Keys,
  campaign: string,
  texts: ReadonlyMap<string, number>,
): Promise<{
  duplicates: number;
  sentWithoutText: number;
  unknownButTexted: number;
  notInLedgerButTexted: number;
  unknownReasons: Record<string, number>;
}> {
  const out = {
    duplicates: 0,
    sentWithoutText: 0,
    unknownButTexted: 0,
    notInLedgerButTexted: 0,
    unknownReasons: {} as Record<string, number>,
  };
  const seen = new Set<string>();
  for await (const entry of readLedger(connection, keys, campaign as CampaignName)) {
    seen.add(entry.to);
    const count = texts.get(entry.to) ?? 0;
    if (entry.state === 'sent' && count === 0) out.sentWithoutText++;
    if (entry.state === 'unknown' && count > 0) out.unknownButTexted++;
    if (entry.state === 'unknown') {
      const reason = `${entry.reason}${count > 0 ? ' (texted)' : ' (not texted)'}`;
      out.unknownReasons[reason] = (out.unknownReasons[reason] ?? 0) + 1;
    }
  }
  for (const [to, count] of texts) {
    if (count > 1) out.duplicates++;
    if (!seen.has(to)) out.notInLedgerButTexted++;
  }
  return out;
}

describe('herald on a Redis Cluster of three masters and three replicas', () => {
  let cluster: LocalRedisCluster;
  let connection: RedisClient;
  let sandbox: SandboxProcess | undefined;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    // A master unreachable for 1 s is failed over: a few seconds in all, instead of Redis's default 15 s and more.
    cluster = await startLocalRedisCluster({ nodeTimeoutMs: 1000, install: true });
    connection = await connectConfiguredRedis({ redisUrl: cluster.url }, { role: 'command' });
  }, 60_000);

  afterEach(async () => {
    for (const worker of workers.splice(0)) worker.child.kill('SIGKILL');
    await sandbox?.stop();
    sandbox = undefined;
  });

  afterAll(async () => {
    for (const client of masterClients) client.disconnect();
    connection?.disconnect();
    await cluster?.stop();
  });

  const startWorkers = (count: number, prefix: string, extra: Record<string, string> = {}) =>
    Promise.all(
      Array.from({ length: count }, async () => {
        const worker = await startWorkerProcess({
          REDIS_CLUSTER_NODES: cluster.seeds,
          HERALD_PREFIX: prefix,
          TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
          TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
          HERALD_TWILIO_BASE_URL: sandbox!.url,
          LOG_LEVEL: 'warn',
          ...extra,
        });
        // Each as it comes up, so that afterEach stops it even when another one fails to start.
        workers.push(worker);
        return worker;
      }),
    );

  /** `herald send` as a user runs it, against the cluster. */
  const send = (prefix: string, file: string, args: string[]) =>
    // Not about the compliance rules: it must send at any hour.
    spawnNode(
      [HERALD_BIN, 'send', file, '--transactional', '--rejected', join(tmpdir(), `${prefix}.rejected.csv`), ...args],
      {
        REDIS_URL: cluster.url,
        HERALD_PREFIX: prefix,
      },
    );

  const masterClients: Redis[] = [];
  /** A plain connection to one node, for what only that node can tell (INFO). */
  const masterClient = (node: ClusterNode) => {
    const client = new Redis(node.port, '127.0.0.1', { maxRetriesPerRequest: 1 });
    masterClients.push(client);
    return client;
  };

  const created = async () =>
    (await sandbox!.inspect<{ requests: SandboxRequest[] }>('/sandbox/requests')).requests.filter(
      (request) => request.status === 201,
    );

  /** How often each number was texted, by the sandbox's record. */
  const textsPerNumber = (requests: readonly SandboxRequest[]) => {
    const counts = new Map<string, number>();
    for (const request of requests)
      counts.set(String(request.params['To']), (counts.get(String(request.params['To'])) ?? 0) + 1);
    return counts;
  };

  it('spreads a multi-sender campaign over the shards, sends each recipient once and paces each sender', async () => {
    const prefix = uniquePrefix('cl-spread');
    const keys = makeKeys(prefix);
    const senders = ['+14155550100', '+14155550101', '+14155550102'];
    const owners = await Promise.all(
      senders.map((from) => cluster.masterOf(queueNameOf('spread' as CampaignName, `p${from.slice(1)}`))),
    );
    // The (campaign, lane) queues are hashed to the five send-queue tags: these three land on more than one shard.
    expect(new Set(owners.map((owner) => owner.id)).size).toBeGreaterThan(1);

    sandbox = await startTestSandboxProcess({ latencyMs: 20 });
    const spreadWorkers = await startWorkers(3, prefix);
    const producer = send(prefix, writeCsv(60, 1000), [
      '--campaign',
      'spread',
      ...senders.flatMap((from) => ['--from', from]),
      '--mps',
      '5',
      '--body',
      'Spread {{name}}',
    ]);
    expect((await producer.exited).code).toBe(0);
    expect(producer.output()).toContain('60');
    await waitForFinished(new CampaignStore(connection, keys), 'spread' as CampaignName, 40_000);

    const requests = await created();
    const texts = textsPerNumber(requests);
    expect(texts.size).toBe(60);
    expect([...texts.values()].every((count) => count === 1)).toBe(true);
    expect(await ledgerStates(connection, keys, 'spread')).toEqual({ sent: 60 });
    // The CLI and the metrics exporter read the cluster too: one worker holds the exporter lease.
    const status = spawnNode([HERALD_BIN, 'status', 'spread'], { REDIS_URL: cluster.url, HERALD_PREFIX: prefix });
    expect((await status.exited).code).toBe(0);
    expect(status.output()).toContain('spread: finished — queued 60, sent 60');
    const exported = await Promise.all(
      spreadWorkers.map((worker) =>
        readCounter(worker.metricsPort, 'herald_messages_sent_total', { campaign: 'spread' }),
      ),
    );
    expect(exported.reduce((sum, value) => sum + value)).toBe(60);
    for (const from of senders) {
      const arrivals: Arrival[] = requests
        .filter((request) => request.params['From'] === from)
        .map((request) => ({ at: request.receivedAt, cost: 1 }));
      expect(arrivals.length).toBeGreaterThan(0);
      // As in pacing.test.ts: each sender's limit is summed over the processes (a limit held per process would let
      // three times as much through); a few seconds' run whose first send left late reads a little above it.
      expect(achievedRate(arrivals)).toBeLessThanOrEqual(5 * 1.25);
    }
  });

  /** The clients each node of the cluster has open, by port, with their names. */
  const clientsPerNode = async (): Promise<Map<number, string[]>> => {
    const nodes = await cluster.topology();
    const lists = await Promise.all(
      nodes.map(async (node) => {
        const list = (await masterClient(node).call('CLIENT', 'LIST')) as string;
        const names = list
          .split('\n')
          .filter((line) => line.length > 0)
          .map((line) => /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '');
        return [node.port, names] as const;
      }),
    );
    for (const client of masterClients.splice(0)) client.disconnect();
    return new Map(lists);
  };

  it('waits for the jobs of thirty lanes on at most five blocking connections, under ten per node', async () => {
    const prefix = uniquePrefix('cl-waits');
    const keys = makeKeys(prefix);
    // Thirty numbers each limited on their own: thirty (campaign, lane) queues, over the five send-queue tags.
    const senders = Array.from({ length: 30 }, (_, index) => `+1415555${String(4000 + index)}`);
    sandbox = await startTestSandboxProcess({ latencyMs: 20 });
    const before = await clientsPerNode();
    const [worker] = await startWorkers(1, prefix);
    const producer = send(prefix, writeCsv(120, 2000), [
      '--campaign',
      'waits',
      ...senders.flatMap((from) => ['--from', from]),
      '--mps',
      '1',
      '--body',
      'Waits {{name}}',
    ]);
    expect((await producer.exited).code).toBe(0);
    // Mid-campaign (4 messages per number at 1 a second each), every lane's Worker has had a job and waits for more.
    await waitFor(async () => (await created()).length >= 40, { what: 'forty messages sent' });
    const during = await clientsPerNode();
    expect((await created()).length).toBeLessThan(120);

    const waits = [...during.values()].flat().filter((name) => name.startsWith(`${prefix}:`));
    // Only herald's shared waits are named for the prefix (BullMQ's own blocking connections would be too): at
    // most one per tag the campaign's queues use, and those are all five here.
    expect(waits).toEqual(Array.from({ length: 5 }, () => `${prefix}:wakeups`));
    for (const [port, names] of during) {
      const added = names.length - (before.get(port)?.length ?? 0);
      // Each BullMQ Worker would otherwise add its own: 4 + 10 or so on each master.
      expect(added).toBeLessThan(10);
    }
    expect(worker).toBeDefined();

    await waitForFinished(new CampaignStore(connection, keys), 'waits' as CampaignName, 40_000);
    const texts = textsPerNumber(await created());
    expect(texts.size).toBe(120);
    expect([...texts.values()].every((count) => count === 1)).toBe(true);
  });

  it('when a machine dies, its jobs go back to the other workers within the lock duration plus two stalled checks', async () => {
    const prefix = uniquePrefix('cl-machine');
    const keys = makeKeys(prefix);
    const senders = ['+14155550110', '+14155550111'];
    sandbox = await startTestSandboxProcess({ latencyMs: 300 });
    // A job taken over from a killed worker may find its recipient in flight; a short reconciliation patience keeps
    // the lookup of such a send (found: sent; not found: unknown, or sent if its request was never written) inside
    // the test's budget.
    const lockEnv = {
      HERALD_LOCK_DURATION_MS: String(LOCK_MS),
      HERALD_STALLED_INTERVAL_MS: String(STALLED_MS),
      HERALD_RECONCILE_PATIENCE_MS: '2000',
    };
    const [machineA] = await Promise.all([startWorkers(2, prefix, lockEnv), startWorkers(2, prefix, lockEnv)]);
    const producer = send(prefix, writeCsv(120, 2000), [
      '--campaign',
      'machine',
      ...senders.flatMap((from) => ['--from', from]),
      '--mps',
      '20',
      '--body',
      'Machine {{name}}',
    ]);
    expect((await producer.exited).code).toBe(0);
    await waitFor(async () => (await created()).length >= 30, { what: '30 messages created' });

    // Both machines hold jobs now; machine A vanishes with its jobs locked.
    const queues = senders.map(
      (from) => new Queue(queueNameOf('machine' as CampaignName, `p${from.slice(1)}`), { connection, prefix }),
    );
    try {
      const activeBefore = (await Promise.all(queues.map((queue) => queue.getActive()))).flat();
      for (const worker of machineA) worker.child.kill('SIGKILL');
      const killedAt = Date.now();
      await Promise.all(machineA.map((worker) => worker.exited));
      expect(activeBefore.length).toBeGreaterThan(0);

      // Every job active at the kill leaves the active state: finished by a live worker, or taken over by one once
      // the dead worker's lock expired and a stalled check put it back in the queue.
      const bound = LOCK_MS + 2 * STALLED_MS;
      let stuck = activeBefore;
      await waitFor(
        async () => {
          const states = await Promise.all(stuck.map((job) => job.getState()));
          stuck = stuck.filter((_, index) => states[index] === 'active');
          return stuck.length === 0;
        },
        {
          what: 'every job active at the kill to leave the active state',
          timeout: bound + 10_000,
          every: 50,
          detail: () => stuck.map((job) => job.id),
        },
      );
      const recoveredMs = Date.now() - killedAt;
      expect(stuck).toEqual([]);
      // Slack for a slow machine: the stalled check itself, and the queue's next pick-up after it.
      expect(recoveredMs).toBeLessThanOrEqual(bound + 1500);

      await waitForFinished(new CampaignStore(connection, keys), 'machine' as CampaignName, 40_000);
      // A job completes after its recipient settles (and, when no replica confirmed that settle in time, only after
      // a second look a second later): the queues empty within moments of the campaign finishing.
      const empty = senders.map(() => ({ waiting: 0, active: 0, delayed: 0 }));
      let counts: unknown[] = [];
      await waitFor(
        async () => {
          counts = await Promise.all(queues.map((queue) => queue.getJobCounts('waiting', 'active', 'delayed')));
          return JSON.stringify(counts) === JSON.stringify(empty);
        },
        { what: 'the queues to empty', timeout: 10_000, detail: () => counts },
      );
    } finally {
      await Promise.all(queues.map((queue) => queue.close()));
    }

    const texts = textsPerNumber(await created());
    const states = await ledgerStates(connection, keys, 'machine');
    // A send that was in flight on the dead machine ends as sent: found at Twilio, or sent again if its request was
    // never written; one whose request was written and is not at Twilio would end unknown, never resent.
    expect((states['sent'] ?? 0) + (states['unknown'] ?? 0)).toBe(120);
    const comparison = await compareWithSandbox(connection, keys, 'machine', texts);
    expect([comparison.duplicates, comparison.sentWithoutText, comparison.notInLedgerButTexted]).toEqual([0, 0, 0]);
  });

  it('makes each ledger and receipt write wait for the replica of its shard, and goes on when the replica does not answer', async () => {
    const keys = makeKeys(uniquePrefix('cl-wait'));
    const name = 'wait' as CampaignName;
    const waiting = await connectConfiguredRedis({ redisUrl: cluster.url, replicaWaitMs: 300 }, { role: 'command' });
    try {
      const ledger = new Ledger(waiting, keys);
      const master = await cluster.masterOf(keys.recipients(name));
      const replica = (await cluster.topology()).find((node) => node.masterId === master.id)!;
      const waits = async () =>
        Number(/cmdstat_wait:calls=(\d+)/.exec(await masterClient(master).info('commandstats'))?.[1] ?? 0);
      const before = await waits();
      const to = '+14155550999' as E164;
      expect(await ledger.claim(name, [{ to, senderId: 'p14155550100', channel: 'sms' }])).toEqual(['new']);
      // WAIT went to the master that ran the script (it has no key to be routed by).
      expect(await waits()).toBe(before + 1);

      // A replica that does not acknowledge holds each write for the wait, then herald goes on; a settle says that
      // no replica confirmed it (its job is then run again rather than completed: pipeline.ts).
      const sid = `SM${'0'.repeat(32)}`;
      replica.local!.process.kill('SIGSTOP');
      try {
        const started = Date.now();
        expect(await ledger.begin(name, to, 'token')).toEqual({ kind: 'go' });
        expect(Date.now() - started).toBeGreaterThanOrEqual(290);
        expect(await ledger.settle(name, to, 'sms', { state: 'sent', sid })).toMatchObject({
          changed: true,
          confirmed: false,
        });
      } finally {
        replica.local!.process.kill('SIGCONT');
      }
      expect(await waits()).toBe(before + 3);
      // With the replica back, a settle is confirmed.
      const other = '+14155550998' as E164;
      expect(await ledger.claim(name, [{ to: other, senderId: 'p14155550100', channel: 'sms' }])).toEqual(['new']);
      expect(await ledger.begin(name, other, 'token')).toEqual({ kind: 'go' });
      await waitFor(async () => (await ledger.settle(name, other, 'sms', { state: 'sent', sid })).confirmed, {
        what: 'the replica to confirm a settle again',
      });
      // The receipt script writes beside the ledger (same hash tag) and is replicated the same way.
      const receipts = new ReceiptStore(waiting, keys);
      const waitsBefore = await waits();
      const receipt = { campaign: name, to, sid, status: 'delivered', code: 'none' };
      expect(await receipts.record({ ...receipt, step: statusStep('delivered')!, channel: 'sms' })).toBe('recorded');
      expect(await waits()).toBe(waitsBefore + 1);
    } finally {
      waiting.disconnect();
      await cluster.waitUntilHealthy();
    }
  });

  it('parks an idle queue and builds its Worker again when a job comes, as on one Redis', async () => {
    const keys = makeKeys(uniquePrefix('park'));
    const campaign = 'parked' as CampaignName;
    const wakeups = QueueWakeups.backendFor(connection, keys);
    const processed: string[] = [];
    const errors: unknown[] = [];
    const parkable = new ParkableQueue({
      campaign,
      lane: 'p1',
      keys,
      connection,
      backend: wakeups,
      build: () =>
        new Worker(
          queueNameOf(campaign, 'p1'),
          async (job) => void processed.push(job.id ?? ''),
          { connection, prefix: keys.prefix, autorun: false },
          wakeups.factory,
        ),
      onError: (error) => errors.push(error),
    });
    const producer = new Queue(queueNameOf(campaign, 'p1'), { connection, prefix: keys.prefix });
    try {
      parkable.run();
      // Its keys are looked at in one command: they share the queue's slot.
      expect(await parkable.sweep(0)).toBe('parked');
      await producer.add('job', {}, { jobId: 'a' });
      await waitFor(() => processed.includes('a'), { what: 'the job to be processed', timeout: 5000 });
      expect(parkable.parked).toBe(false);
      expect(errors).toEqual([]);
    } finally {
      await producer.close();
      await parkable.close();
      await wakeups.close();
    }
  });

  it('rides out the loss of the ledger’s master mid-campaign: the replica takes over, nobody is texted twice', async () => {
    const prefix = uniquePrefix('cl-failover');
    const keys = makeKeys(prefix);
    const name = 'failover' as CampaignName;
    const store = new CampaignStore(connection, keys);
    sandbox = await startTestSandboxProcess({ latencyMs: 20 });
    // A job whose last move (to completed, delayed, …) died with the master is still active on the new one, under a
    // lock nobody renews: the stalled check hands it on, as for a lost machine, within the bound of these settings.
    await startWorkers(3, prefix, {
      HERALD_LOCK_DURATION_MS: String(LOCK_MS),
      HERALD_STALLED_INTERVAL_MS: String(STALLED_MS),
      HERALD_RECONCILE_PATIENCE_MS: '2000',
    });
    // The shard of the campaign's ledger and counters, which every claim, send and settle writes to.
    const victim = await cluster.masterOf(keys.recipients(name));
    const producer = send(prefix, writeCsv(ROWS, 3000), [
      '--campaign',
      name,
      '--from',
      '+14155550120',
      '--from',
      '+14155550121',
      '--mps',
      '50',
      '--chunk-size',
      '5',
      '--body',
      'Failover {{name}}',
    ]);
    // Mid-campaign: sends are flowing and the producer is (most likely) still queueing.
    await waitFor(async () => ((await store.counts(name))['queued'] ?? 0) >= 100 && (await created()).length >= 10, {
      what: '100 recipients queued and 10 messages created',
      every: 5,
    });
    victim.local!.process.kill('SIGKILL');
    const killedAt = Date.now();
    const producerWasRunning = producer.child.exitCode === null;
    const sentBeforeKill = (await created()).length;
    await cluster.waitUntilHealthy();
    const failoverMs = Date.now() - killedAt;
    expect((await cluster.masterOf(keys.recipients(name))).id).not.toBe(victim.id);

    const exit = await Promise.race([
      producer.exited,
      sleep(45_000, undefined, { ref: false }).then(() => ({ code: 'still running' })),
    ]);
    expect({ code: exit.code, tail: exit.code === 0 ? '' : producer.output().slice(-2000) }).toEqual({
      code: 0,
      tail: '',
    });
    await waitForFinished(store, name, 45_000).catch(async (error: unknown) => {
      // Where the recipients still queued are: their jobs' states (job id = the number).
      const left: string[] = [];
      for await (const entry of readLedger(connection, keys, name)) {
        if (entry.state !== 'queued' && entry.state !== 'in-flight') continue;
        const queue = new Queue(queueNameOf(name, 'senderId' in entry ? entry.senderId : '?'), { connection, prefix });
        const job = await queue.getJob(entry.to);
        left.push(`${entry.to} ${entry.state}: job ${job === undefined ? 'missing' : await job.getState()}`);
        await queue.close();
      }
      throw new Error(`${String(error)}; left: ${left.join(', ')}`);
    });

    const texts = textsPerNumber(await created());
    const states = await ledgerStates(connection, keys, name);
    const comparison = await compareWithSandbox(connection, keys, name, texts);
    const inLedger = Object.values(states).reduce((sum, count) => sum + count, 0);
    // The cost of the failover, for docs/scaling.md.
    console.info(
      `failover cost: ${JSON.stringify({ failoverMs, producerWasRunning, sentBeforeKill, states, inLedger, rows: ROWS, ...comparison })}`,
    );
    expect(comparison.duplicates).toBe(0);
    expect(comparison.sentWithoutText).toBe(0);
    expect(states['in-flight']).toBeUndefined();
    expect(states['queued']).toBeUndefined();
  }, 120_000);
});
