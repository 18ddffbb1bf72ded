import { setTimeout as sleep } from 'node:timers/promises';

import { afterEach, describe, expect, it } from '@jest/globals';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';

import type { CampaignSpec } from '../../../src/domain/campaign.js';
import { asE164 } from '../../../src/domain/e164.js';
import { assignLanes, laneOf, lanesOf } from '../../../src/domain/lanes.js';
import { settingsOf } from '../../../src/domain/rate-group.js';
import { senderId } from '../../../src/domain/sender.js';
import { createLogger } from '../../../src/observe/logger.js';
import { CampaignStore } from '../../../src/queue/campaign-store.js';
import { CampaignEnqueuer } from '../../../src/queue/enqueue.js';
import { connectRedis } from '../../../src/redis/redis-connection.js';
import { RateGroupsStore } from '../../../src/rate/rate-groups-store.js';
import { CampaignWorkers } from '../../../src/send/campaign-workers.js';
import { queueNameOf } from '../../../src/store/keys.js';
import { readLedger } from '../../../src/store/read-ledger.js';
import { testSpec } from '../../helpers/campaign.js';
import { type Stack, type StackOptions, startStack, testRedisUrl } from '../../helpers/stack.js';
import { waitFor } from '../../helpers/wait-for.js';

const SENDERS = ['+14155550100', '+14155550101'];

/**
 * A campaign whose producer is still reading its file: active (served by every worker process) and never finished,
 * so that its queues can go idle and be given jobs later. `add` queues recipients on one sender's lane.
 * `beforeActive` runs once the queues are known and before any worker process serves them.
 */
async function openCampaign(
  stack: Stack,
  name: string,
  beforeActive: (queueOf: (sender: number) => string) => Promise<void> = async () => undefined,
) {
  const built = testSpec({ campaign: name, from: SENDERS, body: 'Hi' });
  const groups = new RateGroupsStore(stack.connection, stack.keys);
  await groups.setSenders(settingsOf(built.senders));
  const spec = { ...built, lanes: assignLanes(built.senders, await groups.read()) };
  const ids = spec.senders.map((entry) => senderId(entry.sender));
  const laneOfSender = (sender: number) => laneOf(spec, ids[sender]!);
  const queueOf = (sender: number) => queueNameOf(spec.name, laneOfSender(sender));
  await beforeActive(queueOf);
  await stack.store.open(spec);
  let line = 1;
  const add = async (numbers: readonly string[], options: { sender?: number; startAt?: number } = {}) => {
    const id = ids[options.sender ?? 0]!;
    const enqueuer = new CampaignEnqueuer(stack.connection, stack.keys, stack.ledger, spec, [], options.startAt);
    try {
      await enqueuer.enqueue(
        numbers.map((to) => ({
          job: { line: ++line, to: asE164(to)!, channel: 'sms' as const, segments: 1, vars: {} },
          senderId: id,
          fields: [],
        })),
      );
    } finally {
      await enqueuer.close();
    }
  };
  return {
    spec,
    add,
    /** One of the queue's keys (BullMQ's `part`). */
    keyOf: (sender: number, part: string) => stack.keys.sendQueueKey(spec.name, laneOfSender(sender), part),
    queueOf,
    queues: lanesOf(spec).map((lane) => queueNameOf(spec.name, lane)),
  };
}

async function ledgerStates(stack: Stack, spec: CampaignSpec): Promise<Record<string, string>> {
  const states: Record<string, string> = {};
  for await (const entry of readLedger(stack.connection, stack.keys, spec.name)) states[entry.to] = entry.state;
  return states;
}

/** Sweeps until every queue of `queues` is parked: a job is done in BullMQ a moment after its recipient is. */
async function parkedAll(stack: Stack, queues: readonly string[], workers = stack.workers): Promise<void> {
  await waitFor(
    async () => {
      await workers.sweep();
      return queues.every((queue) => workers.parkedQueues.includes(queue));
    },
    { what: `${queues.join(', ')} to be parked` },
  );
}

/** The connections Redis has open whose names carry the stack's prefix: BullMQ names its blocking ones so. */
async function blockingConnections(stack: Stack): Promise<string[]> {
  const list = (await stack.connection.call('CLIENT', 'LIST')) as string;
  return list
    .split('\n')
    .map((line) => /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '')
    .filter((name) => name.startsWith(`${stack.keys.prefix}:`));
}

/** Requests the sandbox received for `to`. */
function requestsTo(stack: Stack, to: string) {
  return stack.sandbox.requests().filter((request) => request.params['To'] === to);
}

describe('idle queues are parked: no Worker, and their jobs still sent once', () => {
  let stack: Stack | undefined;
  const others: CampaignWorkers[] = [];
  const clients: Redis[] = [];
  const rawWorkers: Worker[] = [];

  afterEach(async () => {
    for (const worker of rawWorkers.splice(0)) await worker.close(true);
    for (const workers of others.splice(0)) await workers.close(5000);
    await stack?.close();
    stack = undefined;
    for (const client of clients.splice(0)) client.disconnect();
  });

  /** The stack's CampaignWorkers look at their queues only when told (sweep): the timer's 30 s never comes. */
  async function open(options: StackOptions = {}) {
    stack = await startStack('park', { parkAfterMs: 0, ...options });
    return stack;
  }

  /** Another worker process on the same Redis and keys: a CampaignWorkers of its own, on a connection of its own. */
  async function openOther(on: Stack, options: { stalledIntervalMs?: number; lockDurationMs?: number } = {}) {
    const connection = await connectRedis(testRedisUrl(), { role: 'worker' });
    clients.push(connection);
    const workers = new CampaignWorkers({
      connection,
      keys: on.keys,
      store: new CampaignStore(connection, on.keys),
      deps: on.deps,
      maxConcurrency: 5,
      maxInFlight: 50,
      logger: createLogger({ level: 'silent', name: 'test' }),
      followIntervalMs: 500,
      parkAfterMs: 0,
      ...options,
    });
    others.push(workers);
    await workers.start();
    return workers;
  }

  /**
   * A BullMQ Worker of `queue` on a connection of its own, as another process's would be, that renews no lock and
   * checks no stalled jobs: closed with force, it is a process that died. Resolves once it waits for jobs.
   */
  async function startDying(on: Stack, queue: string, processor: () => Promise<void>): Promise<Worker> {
    const connection = await connectRedis(testRedisUrl(), { role: 'worker' });
    clients.push(connection);
    const worker = new Worker(queue, processor, {
      connection,
      prefix: on.keys.prefix,
      lockDuration: 500,
      skipLockRenewal: true,
      skipStalledCheck: true,
      drainDelay: 10,
    });
    rawWorkers.push(worker);
    await waitFor(
      async () =>
        ((await on.connection.call('CLIENT', 'LIST')) as string)
          .split('\n')
          .some((line) => line.includes('cmd=bzpopmin')),
      { what: 'the other process to wait for jobs' },
    );
    return worker;
  }

  it('parks a queue with no job, and a job added later wakes it through its marker and is sent once, at once', async () => {
    const on = await open();
    const campaign = await openCampaign(on, 'idle');
    await on.workers.follow();
    expect(on.workers.campaigns).toEqual(['idle']);
    expect(on.workers.parkedQueues).toEqual([]);

    await on.workers.sweep();
    expect(on.workers.parkedQueues.sort()).toEqual([...campaign.queues].sort());

    const added = Date.now();
    await campaign.add(['+12125550001']);
    await waitFor(() => requestsTo(on, '+12125550001').length === 1, { what: 'the job to be sent', timeout: 10_000 });
    // Well within the 30 s between sweeps: the queue's marker woke it.
    expect(Date.now() - added).toBeLessThan(3000);
    expect(on.workers.parkedQueues).toEqual(campaign.queues.filter((queue) => queue !== campaign.queueOf(0)));
    await waitFor(async () => (await ledgerStates(on, campaign.spec))['+12125550001'] === 'sent', {
      what: 'the recipient to be sent',
    });

    // Its job done (once BullMQ has it completed), the queue is parked again, and the next job is sent as promptly.
    await parkedAll(on, campaign.queues);
    await campaign.add(['+12125550002']);
    await waitFor(() => requestsTo(on, '+12125550002').length === 1, { what: 'the second job', timeout: 3000 });
    expect(requestsTo(on, '+12125550001')).toHaveLength(1);
  });

  it('a queue given a delayed job stays parked until the job’s time, then runs it', async () => {
    const on = await open();
    const campaign = await openCampaign(on, 'later');
    await on.workers.follow();
    await on.workers.sweep();
    expect(on.workers.parkedQueues).toHaveLength(campaign.queues.length);

    // The marker's score is the job's time: the parked queue takes it and keeps no Worker until then.
    const startAt = Date.now() + 1500;
    await campaign.add(['+12125550003'], { startAt });
    await waitFor(async () => (await on.connection.zcard(campaign.keyOf(0, 'marker'))) === 0, {
      what: 'the parked queue to take the marker',
    });
    await on.workers.sweep();
    expect(on.workers.parkedQueues).toContain(campaign.queueOf(0));
    const [sent] = await waitFor(() => requestsTo(on, '+12125550003').length === 1 && requestsTo(on, '+12125550003'), {
      what: 'the delayed job to be sent',
    });
    expect(sent!.receivedAt).toBeGreaterThanOrEqual(startAt - 50);
    expect(sent!.receivedAt).toBeLessThan(startAt + 1500);
  });

  it('a retry waiting out its backoff lets its queue be parked, and runs at its time', async () => {
    const on = await open({ attempts: 3 });
    const campaign = await openCampaign(on, 'retry');
    await on.workers.follow();
    await on.workers.sweep();
    // A 429 with a Retry-After puts the job back for 2 s.
    on.sandbox.setFaults({ rate429: 1, retryAfterSeconds: 2, seed: 7 });
    await campaign.add(['+12125550004']);
    const [throttled] = await waitFor(
      () => requestsTo(on, '+12125550004').length === 1 && requestsTo(on, '+12125550004'),
      {
        what: 'the throttled request',
      },
    );
    on.sandbox.setFaults({});
    // Nothing in the queue but the delayed retry: its Worker goes while it waits, and comes back at its time.
    await waitFor(
      async () =>
        (await on.connection.exists(campaign.keyOf(0, 'active'))) === 0 &&
        (await on.connection.zcard(campaign.keyOf(0, 'delayed'))) === 1,
      { what: 'the job to wait in the delayed set alone' },
    );
    await parkedAll(on, [campaign.queueOf(0)]);
    const [, retried] = await waitFor(
      () => requestsTo(on, '+12125550004').length === 2 && requestsTo(on, '+12125550004'),
      {
        what: 'the retry',
      },
    );
    expect(retried!.receivedAt - throttled!.receivedAt).toBeGreaterThan(1950);
    await waitFor(async () => (await ledgerStates(on, campaign.spec))['+12125550004'] === 'sent', { what: 'sent' });
    await parkedAll(on, campaign.queues);
  });

  it('a queue parked in two processes gets its Worker back in both when a job comes: the first through the marker, the other at the latest by the sweep', async () => {
    // Each request takes 1.5 s: the job is in the queue (active) while the second process looks.
    const on = await open({ latencyMs: 1500 });
    const other = await openOther(on);
    const campaign = await openCampaign(on, 'both');
    await on.workers.follow();
    await other.follow();
    await on.workers.sweep();
    await other.sweep();
    for (const workers of [on.workers, other]) expect(workers.parkedQueues).toHaveLength(campaign.queues.length);

    await campaign.add(['+12125550005']);
    const queue = campaign.queueOf(0);
    // A marker wakes one process. It puts the marker back, and BullMQ leaves one whenever a Worker takes a job, so the
    // other often hears too; if it did not, its sweep finds the job (here called at once rather than in 30 s).
    await waitFor(() => !on.workers.parkedQueues.includes(queue) || !other.parkedQueues.includes(queue), {
      what: 'one process to be woken by the marker',
      timeout: 3000,
    });
    await on.workers.sweep();
    await other.sweep();
    expect(on.workers.parkedQueues).not.toContain(queue);
    expect(other.parkedQueues).not.toContain(queue);

    await waitFor(async () => (await ledgerStates(on, campaign.spec))['+12125550005'] === 'sent', { what: 'sent' });
    expect(requestsTo(on, '+12125550005')).toHaveLength(1);
  });

  it('a job left active by a process that is gone is taken back by one that had parked the queue', async () => {
    // Swept (and stalled jobs looked for) every 300 ms; parked once idle for 1.5 s.
    const on = await open({ stalledIntervalMs: 300, parkAfterMs: 1500 });
    let taken = false;
    /** Whether the survivor had the queue parked when the dying process took its job. */
    let parkedWhenTaken: boolean | undefined;
    const campaign = await openCampaign(on, 'orphan', async (queueOf) => {
      // The process that dies: it takes the job and never finishes it nor renews its lock. Waiting before the
      // campaign is active, it is the first to hear of the job.
      await startDying(on, queueOf(0), async () => {
        taken = true;
        parkedWhenTaken = on.workers.parkedQueues.includes(queueOf(0));
        await new Promise(() => undefined);
      });
    });
    await on.workers.follow();
    await waitFor(() => on.workers.parkedQueues.includes(campaign.queueOf(0)), {
      what: 'the survivor to park the queue',
    });

    await campaign.add(['+12125550006']);
    await waitFor(() => taken, { what: 'the dying process to take the job' });
    expect(parkedWhenTaken).toBe(true);
    // Nothing sent it. The survivor gets its Worker back (BullMQ leaves a marker for other Workers when one takes a
    // job, and the job is in the queue at the next sweep), whose stalled-job check returns the job to the queue once
    // the dead process's lock has expired.
    await waitFor(async () => (await ledgerStates(on, campaign.spec))['+12125550006'] === 'sent', {
      what: 'the survivor to send the job',
    });
    expect(requestsTo(on, '+12125550006')).toHaveLength(1);
  });

  it('a delayed job whose marker a process that is gone took is found by the sweep of one that had parked the queue', async () => {
    const on = await open();
    let dying: Worker | undefined;
    const campaign = await openCampaign(on, 'missed', async (queueOf) => {
      // Waiting before the campaign is active, it is the first to hear of the job: it takes the marker, learns the
      // job's time from it, and dies before then. No marker is left for anyone.
      dying = await startDying(on, queueOf(0), async () => undefined);
    });
    await on.workers.follow();
    await on.workers.sweep();
    expect(on.workers.parkedQueues).toContain(campaign.queueOf(0));

    const startAt = Date.now() + 2000;
    await campaign.add(['+12125550009'], { startAt });
    await waitFor(async () => (await on.connection.zcard(campaign.keyOf(0, 'marker'))) === 0, {
      what: 'the dying process to take the marker',
    });
    await dying!.close(true);
    await sleep(200);
    expect(on.workers.parkedQueues).toContain(campaign.queueOf(0));

    // The sweep (every stalled interval; here called) finds the delayed job: the queue stays parked until its time,
    // and the Worker built then runs it in time.
    await on.workers.sweep();
    expect(on.workers.parkedQueues).toContain(campaign.queueOf(0));
    const [sent] = await waitFor(() => requestsTo(on, '+12125550009').length === 1 && requestsTo(on, '+12125550009'), {
      what: 'the delayed job to be sent',
    });
    expect(sent!.receivedAt).toBeGreaterThanOrEqual(startAt - 50);
    expect(sent!.receivedAt).toBeLessThan(startAt + 1500);
  });

  it('a queue woken while the process takes no jobs stays paused until it takes them again', async () => {
    const on = await open();
    const campaign = await openCampaign(on, 'paused');
    await on.workers.follow();
    await on.workers.sweep();
    await on.workers.setTaking(false);

    await campaign.add(['+12125550007']);
    await waitFor(() => !on.workers.parkedQueues.includes(campaign.queueOf(0)), { what: 'the queue to be woken' });
    await sleep(700);
    expect(requestsTo(on, '+12125550007')).toHaveLength(0);
    expect(await on.connection.exists(campaign.keyOf(0, 'wait'))).toBe(1);

    await on.workers.setTaking(true);
    await waitFor(() => requestsTo(on, '+12125550007').length === 1, { what: 'the job to be sent' });
  });

  it('parks the queues of a paused campaign, and its resume wakes them', async () => {
    const on = await open();
    const campaign = await openCampaign(on, 'held');
    await on.workers.follow();
    await on.workers.sweep();
    // Jobs waiting in a paused queue are no work for a Worker: the queue is parked with them.
    const queue = new Queue(campaign.queueOf(0), { connection: on.connection, prefix: on.keys.prefix });
    try {
      await queue.pause();
      await campaign.add(['+12125550010', '+12125550011']);
      await on.workers.sweep();
      expect(on.workers.parkedQueues).toContain(campaign.queueOf(0));
      expect(await on.connection.llen(campaign.keyOf(0, 'wait'))).toBe(2);
      await sleep(300);
      expect(requestsTo(on, '+12125550010')).toHaveLength(0);

      // BullMQ's resume leaves a marker, which the parked queue hears.
      await queue.resume();
      await waitFor(() => requestsTo(on, '+12125550010').length === 1 && requestsTo(on, '+12125550011').length === 1, {
        what: 'both jobs to be sent once resumed',
      });
    } finally {
      await queue.close();
    }
  });

  it('closes at once with parked queues, leaving no Worker, wait or connection behind', async () => {
    const on = await open();
    const campaign = await openCampaign(on, 'closing');
    await on.workers.follow();
    await on.workers.sweep();
    expect(on.workers.parkedQueues).toHaveLength(campaign.queues.length);
    await waitFor(async () => (await blockingConnections(on)).includes(`${on.keys.prefix}:wakeups`), {
      what: 'the parked queues to wait on the wakeups connection',
    });

    const started = Date.now();
    expect(await on.workers.close(5000)).toEqual({ timedOut: false });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(on.workers.parkedQueues).toEqual([]);
    await waitFor(async () => (await blockingConnections(on)).length === 0, {
      what: 'the wakeups connection to close',
    });
    // A job added now wakes nothing: it waits in Redis for the next process.
    await campaign.add(['+12125550008']);
    await sleep(300);
    expect(requestsTo(on, '+12125550008')).toHaveLength(0);
    expect(await on.connection.zcard(campaign.keyOf(0, 'marker'))).toBe(1);
  });
});
