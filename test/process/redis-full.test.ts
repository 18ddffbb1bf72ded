import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from '@jest/globals';

import type { CampaignName } from '../../src/domain/campaign.js';
import { type LocalRedis, startLocalRedis } from '../../src/local/redis-server.js';
import { CampaignStore } from '../../src/queue/campaign-store.js';
import { makeKeys } from '../../src/store/keys.js';
import { connectRedis } from '../../src/redis/redis-connection.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { HERALD_BIN, spawnNode, startWorkerProcess, type WorkerProcess } from '../helpers/processes.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, waitForFinished } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait-for.js';

function csvOf(count: number, first: number): string {
  const path = join(mkdtempSync(join(tmpdir(), 'herald-full-')), 'r.csv');
  const rows = Array.from({ length: count }, (_, index) => `+1415557${String(first + index)},N${index}`);
  writeFileSync(path, ['phone,name', ...rows].join('\n'));
  return path;
}

/** Resolves with /readyz's answer once it is `status`. */
async function readyzBecomes(worker: WorkerProcess, status: number): Promise<string> {
  let last = '';
  const answer = await waitFor(
    async () => {
      const response = await fetch(`http://127.0.0.1:${worker.metricsPort}/readyz`);
      last = `${response.status} ${(await response.text()).trim()}`;
      return response.status === status && last;
    },
    { what: `/readyz to answer ${status}`, detail: () => last },
  );
  return answer.slice(String(status).length + 1);
}

const OUT_OF_MEMORY_LOG = 'Redis is out of memory: it refuses writes';

describe('a Redis that is out of memory', () => {
  let redis: LocalRedis | undefined;
  afterAll(async () => redis?.stop());

  it('is named in one line by every command, makes workers not ready, and is logged and exported once', async () => {
    redis = await startLocalRedis();
    const admin = await connectRedis(redis.url, { role: 'command' });
    const sandbox = await startSandbox({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
    const env = { REDIS_URL: redis.url, HERALD_PREFIX: 'full' };
    const herald = async (...args: string[]) => {
      const run = spawnNode([HERALD_BIN, ...args], env);
      return { ...(await run.exited), output: run.output().trim() };
    };
    const worker = await startWorkerProcess({
      ...env,
      TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      HERALD_TWILIO_BASE_URL: sandbox.url,
      // A job whose move Redis refused stays active under a lock nobody renews: handed on within 2 + 2 × 1 s.
      HERALD_LOCK_DURATION_MS: '2000',
      HERALD_STALLED_INTERVAL_MS: '1000',
    });
    try {
      // A campaign at 5 a second is still sending when Redis fills up (maxmemory 1 byte: over it whatever it holds).
      // Not about the compliance rules: it must send at any hour.
      const send = ['--from', '+14155550100', '--mps', '5', '--body', 'Hi {{name}}', '--transactional'];
      const rejected = ['--rejected', join(tmpdir(), 'full.rejected.csv')];
      expect((await herald('send', csvOf(15, 1000), '--campaign', 'full', ...send, ...rejected)).code).toBe(0);
      await waitFor(() => sandbox.requests().length >= 2, { what: 'the campaign to be sending' });
      await admin.config('SET', 'maxmemory', '1');

      expect(await readyzBecomes(worker, 503)).toBe('redis out of memory');
      // Sends that were in flight may still land; after them, nothing while Redis is full (checked below, once the
      // commands have run, which takes seconds).
      const sentWhenFull = sandbox.requests().length;
      const metrics = await (await fetch(`http://127.0.0.1:${worker.metricsPort}/metrics`)).text();
      expect(metrics).toMatch(/^herald_redis_out_of_memory 1$/m);
      expect(metrics).toMatch(/^herald_redis_maxmemory_bytes 1$/m);

      // Every command that writes says so in one line and exits 1; one that only reads still works.
      const full = /^herald: Redis is out of memory \(maxmemory 1 B, [\d.]+ [KM]B used, policy noeviction\): [^\n]+$/;
      const commands = [
        ['send', csvOf(5, 2000), '--campaign', 'more', ...send, ...rejected],
        ['pause', 'full'],
        ['cancel', 'full'],
        ['senders', 'resume', '+14155550100'],
      ];
      const [status, ...results] = await Promise.all([
        herald('status', 'full'),
        ...commands.map((args) => herald(...args)),
      ]);
      expect(status.output).toMatch(/^full: running/);
      for (const [index, result] of results.entries()) {
        expect({ args: commands[index], code: result.code, output: result.output }).toEqual({
          args: commands[index],
          code: 1,
          output: expect.stringMatching(full),
        });
      }

      // While it lasts nothing more is sent; once Redis has room, the campaign completes with each recipient once.
      expect(sandbox.requests().length).toBeLessThanOrEqual(sentWhenFull + 2);
      await admin.config('SET', 'maxmemory', '0');
      expect(await readyzBecomes(worker, 200)).toBe('ready');
      await waitForFinished(new CampaignStore(admin, makeKeys('full')), 'full' as CampaignName, 30_000);
      expect(new Set(sandbox.requests().map((request) => request.params['To'])).size).toBe(15);
      expect(sandbox.requests()).toHaveLength(15);

      const lines = worker.output().split('\n');
      expect(lines.filter((line) => line.includes(OUT_OF_MEMORY_LOG))).toHaveLength(1);
      expect(lines.filter((line) => line.includes('Redis has memory again'))).toHaveLength(1);
      expect(lines.filter((line) => line.includes('OOM command not allowed'))).toEqual([]);
    } finally {
      await admin.config('SET', 'maxmemory', '0').catch(() => undefined);
      await worker.stop();
      await sandbox.close();
      admin.disconnect();
    }
  }, 60_000);
});
