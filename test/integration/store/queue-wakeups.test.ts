import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';

import { runIngest } from '../../../src/ingest/run-ingest.js';
import { makeKeys } from '../../../src/store/keys.js';
import { QueueWakeups, type WorkerBackend } from '../../../src/store/queue-wakeups.js';
import { testSpec } from '../../helpers/campaign.js';
import { type Stack, startStack, testRedisUrl, uniquePrefix, waitForFinished } from '../../helpers/stack.js';
import { waitFor } from '../../helpers/wait-for.js';

function csvOf(numbers: readonly string[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'herald-wakeups-')), 'r.csv');
  writeFileSync(path, ['phone', ...numbers].join('\n'));
  return path;
}

/** The connections Redis has open whose names carry `prefix`: BullMQ names every blocking connection so. */
async function namedConnections(connection: Redis, prefix: string): Promise<string[]> {
  const list = (await connection.call('CLIENT', 'LIST')) as string;
  return list
    .split('\n')
    .map((line) => /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '')
    .filter((name) => name.startsWith(`${prefix}:`));
}

describe('one blocking connection for every queue of a worker process', () => {
  let stack: Stack | undefined;
  const clients: Redis[] = [];
  let wakeups: WorkerBackend | undefined;

  /** A shared wait of its own, on a connection and key prefix of its own. */
  function openWakeups() {
    const client = new Redis(testRedisUrl());
    clients.push(client);
    const keys = makeKeys(uniquePrefix('wakeups'));
    return { client, keys, opened: QueueWakeups.backendFor(client, keys) };
  }

  afterEach(async () => {
    await wakeups?.close();
    wakeups = undefined;
    await stack?.close();
    stack = undefined;
    for (const client of clients.splice(0)) client.disconnect();
  });

  it('serves three campaigns of twenty lanes each on one blocking connection, and sends every recipient once', async () => {
    stack = await startStack('wakeups', { concurrency: 5 });
    const senders = Array.from({ length: 20 }, (_, index) => `+1415555${String(3000 + index)}`);
    const specs = ['north', 'south', 'west'].map((campaign) => testSpec({ campaign, from: senders, body: 'Hi' }));
    const recipients = (campaign: number) =>
      Array.from({ length: 40 }, (_, index) => `+1212555${String(campaign * 100 + index).padStart(4, '0')}`);
    for (const [index, spec] of specs.entries()) {
      await runIngest(stack, {
        file: csvOf(recipients(index)),
        spec,
        rejectedPath: join(tmpdir(), `${spec.name}.rejected.csv`),
        chunkSize: 10,
      });
    }
    await stack.workers.follow();
    expect(stack.workers.campaigns.sort()).toEqual(['north', 'south', 'west']);
    // Sixty (campaign, lane) queues are served; BullMQ alone would hold sixty blocking connections here.
    expect(await namedConnections(stack.connection, stack.keys.prefix)).toEqual([`${stack.keys.prefix}:wakeups`]);

    for (const spec of specs) await waitForFinished(stack.store, spec.name, 30_000);
    const sent = stack.sandbox.requests().map((request) => String(request.params['To']));
    expect(sent).toHaveLength(120);
    expect(new Set(sent).size).toBe(120);
  });

  it('hears a queue that starts waiting while the connection is already blocked on others', async () => {
    const { client, keys, opened } = openWakeups();
    wakeups = opened;
    const first = `${keys.prefix}:{a}:marker`;
    const second = `${keys.prefix}:{b}:marker`;

    // The loop blocks on the first marker for 30 s; the second queue begins to wait meanwhile.
    let firstSettled = false;
    const firstWait = wakeups.waitForJob(first, 30).finally(() => (firstSettled = true));
    await waitFor(async () => (await namedConnections(client, keys.prefix)).length === 1, {
      what: 'the wakeups connection to open',
    });
    const secondWait = wakeups.waitForJob(second, 30);
    await client.zadd(second, 1234, '0');

    await expect(secondWait).resolves.toEqual({ member: '0', score: 1234 });
    expect(firstSettled).toBe(false);
    // The first queue's marker is still heard after the loop asked again.
    await client.zadd(first, 0, '0');
    await expect(firstWait).resolves.toEqual({ member: '0', score: 0 });
  });

  it('ends an interrupted wait as a closed connection would, and a timed-out one with no marker', async () => {
    const { client, keys, opened } = openWakeups();
    wakeups = opened;
    const marker = `${keys.prefix}:{a}:marker`;

    const interrupted = wakeups.waitForJob(marker, 30);
    wakeups.interrupt(marker);
    await expect(interrupted).rejects.toThrow('Connection is closed.');

    // A wait that timed out resolves with no marker, and a marker added later waits in Redis for the next one.
    await expect(wakeups.waitForJob(marker, 0.05)).resolves.toBeNull();
    await client.zadd(marker, 0, '0');
    expect(await client.zcard(marker)).toBe(1);
    await expect(wakeups.waitForJob(marker, 30)).resolves.toEqual({ member: '0', score: 0 });
    expect(await client.zcard(marker)).toBe(0);
  });
});
