import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import { runIngest } from '../../../src/ingest/run-ingest.js';
import { type LocalRedis, startLocalRedis } from '../../../src/local/redis-server.js';
import { readLedger } from '../../../src/store/read-ledger.js';
import { connectRedis } from '../../../src/redis/redis-connection.js';
import { testSpec } from '../../helpers/campaign.js';
import { type Stack, startStack, waitForFinished } from '../../helpers/stack.js';

const RECIPIENTS = 400;

function csvOf(count: number): string {
  const path = join(mkdtempSync(join(tmpdir(), 'herald-full-')), 'r.csv');
  const rows = Array.from({ length: count }, (_, index) => `+1415556${String(1000 + index)},N${index}`);
  writeFileSync(path, ['phone,name', ...rows].join('\n'));
  return path;
}

/** Writes Redis refused for want of memory so far (INFO errorstats). */
async function refusedWrites(admin: Redis): Promise<number> {
  return Number(/errorstat_OOM:count=(\d+)/.exec(await admin.info('errorstats'))?.[1] ?? 0);
}

describe('Redis out of memory mid-campaign', () => {
  let redis: LocalRedis;
  let admin: Redis;
  let stack: Stack | undefined;

  beforeAll(async () => {
    // A Redis of its own: this test makes it refuse writes, which would fail every other test sharing one.
    redis = await startLocalRedis();
    admin = await connectRedis(redis.url, { role: 'command' });
  });
  afterAll(async () => {
    await stack?.close();
    admin.disconnect();
    await redis.stop();
  });

  it('never records unknown a recipient whose request did not leave, and texts nobody twice', async () => {
    // An in-flight mark left behind by a send that never left is not found in the message list, and is recorded
    // unknown once the lookup's patience (5 s, a look every second) has run out. A job whose worker could not write
    // its move or renew its lock (Redis full) is handed on after 2 + 1 s, maybe while its first attempt is still
    // in flight: the patience lets that attempt settle, so that only a mark with no request behind it is unknown.
    stack = await startStack('full', {
      redisUrl: redis.url,
      concurrency: 40,
      reconcilePatienceMs: 5000,
      lookAgainMs: 1000,
      lockDurationMs: 2000,
      stalledIntervalMs: 1000,
    });
    const spec = testSpec({ campaign: 'full', from: ['+14155550100', '+14155550101'], mps: 500, body: 'Hi {{name}}' });
    await runIngest(stack, { file: csvOf(RECIPIENTS), spec, rejectedPath: join(tmpdir(), 'full.csv'), chunkSize: 100 });

    // Redis fills up and is given room again, over and over, while the campaign sends: each time it fills up some
    // sends are between their in-flight mark and the request, and some answers are still to be recorded.
    // (maxmemory 1 byte: Redis is over it whatever it holds; 0: no limit.)
    const refusedBefore = await refusedWrites(admin);
    const started = Date.now();
    while (stack.sandbox.requests().length < RECIPIENTS * 0.6 && Date.now() - started < 20_000) {
      // Random spells full and not: what is tested is that a send meets them at any point of its steps.
      await admin.config('SET', 'maxmemory', '1');
      await sleep(Math.random() * 40);
      await admin.config('SET', 'maxmemory', '0');
      await sleep(Math.random() * 40);
    }
    expect(await refusedWrites(admin)).toBeGreaterThan(refusedBefore);

    await waitForFinished(stack.store, spec.name, 60_000);
    const states: Record<string, number> = {};
    for await (const entry of readLedger(stack.connection, stack.keys, spec.name))
      states[entry.state] = (states[entry.state] ?? 0) + 1;
    const texts = new Map<string, number>();
    for (const request of stack.sandbox.requests())
      texts.set(String(request.params['To']), (texts.get(String(request.params['To'])) ?? 0) + 1);

    // Every request reached the sandbox and was answered, so nothing is unknown: a send refused before it left is
    // queued again and sent later; one whose answer could not be recorded is found in the message list.
    expect(states['unknown']).toBeUndefined();
    expect([...texts.values()].filter((count) => count > 1)).toEqual([]);
    expect(states['sent']).toBe(texts.size);
    expect((states['sent'] ?? 0) + (states['failed'] ?? 0)).toBe(RECIPIENTS);
  }, 90_000);
});
