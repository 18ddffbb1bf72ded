import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import type { CampaignSpec } from '../../src/domain/campaign.js';
import { achievedRate, type Arrival } from '../../src/domain/achieved-rate.js';
import { countSegments } from '../../src/domain/segments.js';
import { parseRateGroupsFile } from '../../src/domain/rate-group-file.js';
import { senderAddress } from '../../src/domain/sender.js';
import type { GroupStats, SandboxRequest } from '../../src/sandbox/index.js';
import { RateGroupsStore } from '../../src/rate/rate-groups-store.js';
import { runIngest } from '../../src/ingest/run-ingest.js';
import { CampaignStore } from '../../src/queue/campaign-store.js';
import { type Keys, makeKeys } from '../../src/store/keys.js';
import { Ledger } from '../../src/store/ledger.js';
import { connectRedis } from '../../src/redis/redis-connection.js';
import {
  type SandboxProcess,
  startTestSandboxProcess,
  type WorkerProcess,
  startWorkerProcess,
} from '../helpers/processes.js';
import {
  deleteKeys,
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  testRedisUrl,
  uniquePrefix,
  waitForFinished,
} from '../helpers/stack.js';
import { testSpec } from '../helpers/campaign.js';

const LONG_BODY = `Hi {{name}}. ${'Your parcel is on its way and will arrive tomorrow. '.repeat(7)}`;

function csv(rows: number, first: number): string {
  const path = join(mkdtempSync(join(tmpdir(), 'herald-pacing-')), 'r.csv');
  const lines = ['phone,name'];
  for (let i = 0; i < rows; i++) lines.push(`+1415555${String(first + i)},N${i}`);
  writeFileSync(path, lines.join('\n'));
  return path;
}

function spec(name: string, from: string, mps: number, body: string): CampaignSpec {
  return testSpec({ campaign: name, from: [from], mps, body });
}

const GROUPS = {
  groups: [
    { name: 'pool', kind: 'pool', limit: '5/s', memberLimit: 'none', senders: ['+14155550110', '+14155550111'] },
  ],
};
const GROUPS_FILE = join(mkdtempSync(join(tmpdir(), 'herald-pacing-groups-')), 'groups.json');
writeFileSync(GROUPS_FILE, JSON.stringify(GROUPS));

describe('pacing across worker processes', () => {
  let connection: Redis;
  let keys: Keys;
  let sandbox: SandboxProcess;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('pacing'));
    // Its own process, as Twilio is its own machine: arrival times taken by a process that is also busy producing
    // the campaign would be late by however long it was busy.
    // Twilio's queues for the pool below, so that the sandbox measures the backlog herald's sends build there.
    sandbox = await startTestSandboxProcess({ latencyMs: 50, flags: ['--groups', GROUPS_FILE] });
    // Side by side: a worker spends its start loading modules, and the three need not wait for each other.
    const env = {
      REDIS_URL: testRedisUrl(),
      HERALD_PREFIX: keys.prefix,
      TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      HERALD_TWILIO_BASE_URL: sandbox.url,
    };
    await Promise.all(
      [0, 1, 2].map(async () => {
        // Each as it comes up, so that afterAll stops it even when another one fails to start.
        workers.push(await startWorkerProcess(env));
      }),
    );
  });

  afterAll(async () => {
    for (const worker of workers) worker.child.kill('SIGKILL');
    await Promise.all(workers.map((worker) => worker.exited));
    await sandbox.stop();
    await deleteKeys(connection, keys.prefix);
    await connection.quit();
  });

  it('holds each sender to its rate in segments, summed over three processes and two campaigns, at the receiving end', async () => {
    expect(countSegments(LONG_BODY.replace('{{name}}', 'N10')).segments).toBe(3);
    const deps = { connection, keys, store: new CampaignStore(connection, keys), ledger: new Ledger(connection, keys) };
    const plain = spec('plain', '+14155550100', 4, 'Hi {{name}}');
    // A second campaign on the same sender shares its rate rather than adding its own.
    const plainToo = spec('plain-too', '+14155550100', 4, 'Hello {{name}}');
    const long = spec('long', '+14155550101', 6, LONG_BODY);
    const ingest = (file: string, campaign: CampaignSpec) =>
      runIngest(deps, { file, spec: campaign, rejectedPath: join(tmpdir(), `${campaign.name}.csv`), chunkSize: 100 });
    await Promise.all([ingest(csv(28, 4000), plain), ingest(csv(20, 6000), plainToo), ingest(csv(12, 5000), long)]);
    await Promise.all([plain, plainToo, long].map((campaign) => waitForFinished(deps.store, campaign.name, 40_000)));

    const { requests } = await sandbox.inspect<{ requests: SandboxRequest[] }>('/sandbox/requests');
    const arrivals = (from: string): Arrival[] =>
      requests
        .filter((request) => request.params['From'] === from && request.status === 201)
        .map((request) => ({ at: request.receivedAt, cost: countSegments(String(request.params['Body'])).segments }));
    const plainArrivals = arrivals('+14155550100');
    const longArrivals = arrivals('+14155550101');
    expect(plainArrivals).toHaveLength(48);
    // Both campaigns were sending throughout, not one after the other.
    const bodies = (prefix: string) => requests.filter((request) => String(request.params['Body']).startsWith(prefix));
    const lastOf = (prefix: string) => Math.max(...bodies(prefix).map((request) => request.receivedAt));
    const firstOf = (prefix: string) => Math.min(...bodies(prefix).map((request) => request.receivedAt));
    expect(firstOf('Hello ')).toBeLessThan(lastOf('Hi N'));
    expect(firstOf('Hi N')).toBeLessThan(lastOf('Hello '));
    expect(longArrivals).toHaveLength(12);

    // Over the whole run the rate is the limit, summed over the processes: a limit held per process would let three
    // times as much through. Measured from the first arrival, a run of a few seconds whose first send left late (a
    // cold process on a busy host, hundreds of ms) reads a little above the limit; Twilio's queue absorbs that.
    for (const [arrivals, limit] of [
      [plainArrivals, 4],
      [longArrivals, 6],
    ] as const) {
      expect(achievedRate(arrivals)).toBeGreaterThan(limit * 0.9);
      expect(achievedRate(arrivals)).toBeLessThanOrEqual(limit * 1.25);
    }
  });

  it('paces a pool’s numbers together at the pool’s rate, and leaves under a second waiting at Twilio', async () => {
    const parsed = parseRateGroupsFile(JSON.stringify(GROUPS));
    if (!parsed.ok) throw new Error(parsed.reason);
    await new RateGroupsStore(connection, keys).apply(parsed.groups);
    const deps = { connection, keys, store: new CampaignStore(connection, keys), ledger: new Ledger(connection, keys) };
    const pooled = testSpec({
      campaign: 'pooled',
      from: ['+14155550110', '+14155550111'],
      body: 'Hi {{name}}',
    });
    await runIngest(deps, {
      file: csv(40, 7000),
      spec: pooled,
      rejectedPath: join(tmpdir(), 'pooled.csv'),
      chunkSize: 100,
    });
    await waitForFinished(deps.store, pooled.name, 40_000);

    const { requests } = await sandbox.inspect<{ requests: SandboxRequest[] }>('/sandbox/requests');
    const arrivals: Arrival[] = requests
      .filter((request) => pooled.senders.some((entry) => senderAddress(entry.sender) === request.params['From']))
      .map((request) => ({ at: request.receivedAt, cost: 1 }));
    expect(arrivals).toHaveLength(40);
    // Two numbers with no limit of their own share the pool's 5/s: together, not 5/s each.
    expect(achievedRate(arrivals)).toBeGreaterThan(5 * 0.9);
    expect(achievedRate(arrivals)).toBeLessThanOrEqual(5 * 1.25);
    const queues = await sandbox.inspect<{ groups: GroupStats[] }>('/sandbox/senders');
    const pool = queues.groups.find((group) => group.group === 'pool');
    expect(pool).toMatchObject({ mps: 5, accepted: 40 });
    expect(pool!.peakBacklogSeconds).toBeLessThan(1);
  });
});
