import { randomBytes } from 'node:crypto';

import type { Redis } from 'ioredis';
import pLimit from 'p-limit';

import type { CampaignName } from '../../src/domain/campaign.js';
import { createLogger } from '../../src/observe/logger.js';
import { SendEvents } from '../../src/observe/send-events.js';
import { CampaignStore } from '../../src/queue/campaign-store.js';
import { type Keys, makeKeys } from '../../src/store/keys.js';
import { Ledger } from '../../src/store/ledger.js';
import { OptOutList } from '../../src/compliance/opt-out-list.js';
import { type Clock, LOCAL_CLOCK } from '../../src/redis/redis-clock.js';
import { CampaignGate } from '../../src/send/campaign-gate.js';
import { connectRedis } from '../../src/redis/redis-connection.js';
import { GroupsInUse } from '../../src/rate/groups-in-use.js';
import { Holds } from '../../src/rate/holds.js';
import { RateGroupsStore } from '../../src/rate/rate-groups-store.js';
import { RatePacer } from '../../src/rate/rate-pacer.js';
import { CampaignWorkers } from '../../src/send/campaign-workers.js';
import { makeComplianceDeps } from '../../src/send/compliance-deps.js';
import type { SendDeps } from '../../src/send/send-job.js';
import { createTwilioClient } from '../../src/send/twilio-client.js';
import { type RecipientOptions, type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { waitFor } from './wait-for.js';

/** Credentials of the sandbox account the tests use; the token must never show up in anything herald writes. */
export const TEST_ACCOUNT_SID = `AC${'7e57'.repeat(8)}`;
export const TEST_AUTH_TOKEN = `test-token-${'5ecre7'.repeat(4)}`;

export function testRedisUrl(): string {
  const url = process.env['HERALD_TEST_REDIS_URL'];
  if (url === undefined) throw new Error('HERALD_TEST_REDIS_URL is not set: run the tests with npm test');
  return url;
}

/** A key prefix of its own, so test files sharing the run's redis-server never see each other's keys. */
export function uniquePrefix(label: string): string {
  return `t-${label}-${randomBytes(4).toString('hex')}`;
}

export interface Stack {
  connection: Redis;
  keys: Keys;
  store: CampaignStore;
  ledger: Ledger;
  sandbox: Sandbox;
  events: SendEvents;
  workers: CampaignWorkers;
  /** What the workers' sends use: for a test that runs a send pipeline of its own on the same parts. */
  deps: SendDeps;
  close(): Promise<void>;
}

/** Redis, the sandbox and an in-process CampaignWorkers, all real; everything is closed and the keys deleted. */
export interface StackOptions {
  concurrency?: number;
  attempts?: number;
  /** The SDK's request timeout. */
  timeoutMs?: number;
  latencyMs?: number;
  /** The auth token the workers' client uses; absent, the sandbox's own (a different one is refused with 20003). */
  clientAuthToken?: string;
  /** How long a daily cap without a Retry-After holds its sender. */
  dailyCapHoldMs?: number;
  /** How long a lost answer is looked up again before unknown; 0 (look once) unless given. */
  reconcilePatienceMs?: number;
  /** How soon a lookup that found nothing is repeated within the patience; the workers' 10 s unless given. */
  lookAgainMs?: number;
  /** A Redis of the test's own (e.g. one it fills up); absent, the run's shared one. */
  redisUrl?: string;
  /** BullMQ's job lock and stalled check; BullMQ's defaults unless given. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** How long a queue's Worker goes without a job before it is parked; the workers' 60 s unless given. */
  parkAfterMs?: number;
  /** The workers' clock (a test's own, to judge sending hours at a chosen instant); absent, this process's. */
  clock?: Clock;
  /** Messages per recipient per rolling 24 hours (HERALD_FREQUENCY_CAP); 3 unless given. */
  frequencyCap?: number;
  /** The workers' opt-out list (one that plays a STOP arriving at a chosen moment); absent, the plain one. */
  optOuts?: (connection: Redis, keys: Keys) => OptOutList;
  /** The sandbox's recipients (replies, WhatsApp's 24-hour session); absent, its defaults. */
  recipients?: RecipientOptions;
}

export async function startStack(label: string, options: StackOptions = {}): Promise<Stack> {
  const connection = await connectRedis(options.redisUrl ?? testRedisUrl(), { role: 'worker' });
  const keys = makeKeys(uniquePrefix(label));
  const store = new CampaignStore(connection, keys);
  const ledger = new Ledger(connection, keys);
  const sandbox = await startSandbox({
    accountSid: TEST_ACCOUNT_SID,
    authToken: TEST_AUTH_TOKEN,
    latencyMs: options.latencyMs ?? 0,
    ...(options.recipients === undefined ? {} : { recipients: options.recipients }),
  });
  const events = new SendEvents();
  const pacer = new RatePacer(connection, keys);
  const client = createTwilioClient({
    accountSid: TEST_ACCOUNT_SID,
    authToken: options.clientAuthToken ?? TEST_AUTH_TOKEN,
    baseUrl: sandbox.url,
    timeoutMs: options.timeoutMs ?? 5000,
    maxSockets: 50,
  });
  const deps: SendDeps = {
    ledger,
    client,
    events,
    inFlight: pLimit(50),
    attempts: options.attempts ?? 3,
    retryWindowMs: 60_000,
    // As in the worker process (src/worker/run-sender-worker.ts).
    holds: new Holds(connection, keys, 250),
    groups: new GroupsInUse(new RateGroupsStore(connection, keys)),
    ...(options.dailyCapHoldMs === undefined ? {} : { dailyCapHoldMs: options.dailyCapHoldMs }),
    ...(options.reconcilePatienceMs === undefined ? {} : { reconcilePatienceMs: options.reconcilePatienceMs }),
    ...(options.lookAgainMs === undefined ? {} : { lookAgainMs: options.lookAgainMs }),
    pacer,
    optOuts: options.optOuts?.(connection, keys) ?? new OptOutList(connection, keys),
    gate: new CampaignGate(connection, keys),
    compliance: makeComplianceDeps(connection, keys, options.frequencyCap ?? 3),
    clock: options.clock ?? LOCAL_CLOCK,
  };
  const workers = new CampaignWorkers({
    connection,
    keys,
    store,
    maxConcurrency: options.concurrency ?? 5,
    maxInFlight: 50,
    ...(options.lockDurationMs === undefined ? {} : { lockDurationMs: options.lockDurationMs }),
    ...(options.stalledIntervalMs === undefined ? {} : { stalledIntervalMs: options.stalledIntervalMs }),
    ...(options.parkAfterMs === undefined ? {} : { parkAfterMs: options.parkAfterMs }),
    logger: createLogger({ level: 'silent', name: 'test' }),
    deps,
    followIntervalMs: 500,
  });
  await workers.start();
  return {
    connection,
    keys,
    store,
    ledger,
    sandbox,
    events,
    workers,
    deps,
    async close() {
      await workers.close(5000);
      await sandbox.close();
      await deleteKeys(connection, keys.prefix);
      await connection.quit();
    },
  };
}

export async function deleteKeys(connection: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await connection.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await connection.del(...keys);
  } while (cursor !== '0');
}

/** Resolves when the campaign is finished; fails with its counts if that takes longer than `timeoutMs`. */
export async function waitForFinished(store: CampaignStore, name: CampaignName, timeoutMs = 30_000): Promise<void> {
  await waitFor(async () => (await store.get(name))?.state === 'finished', {
    what: `campaign ${name} to finish`,
    timeout: timeoutMs,
    every: 50,
    detail: () => store.counts(name),
  });
}
