import { describe, expect, it } from '@jest/globals';

import { startLocalRedis } from '../../src/local/redis-server.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { startWorkerProcess } from '../helpers/processes.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from '../helpers/stack.js';

describe('a worker whose Redis goes away', () => {
  it('reports not ready, still serves its own metrics, and stops on SIGTERM within its deadline', async () => {
    const redis = await startLocalRedis();
    const sandbox = await startSandbox({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
    const worker = await startWorkerProcess({
      REDIS_URL: redis.url,
      TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      HERALD_TWILIO_BASE_URL: sandbox.url,
      HERALD_SHUTDOWN_TIMEOUT_MS: '2000',
    });
    const base = `http://127.0.0.1:${worker.metricsPort}`;
    try {
      const before = await (await fetch(`${base}/metrics`)).text();
      expect(before).toContain('herald_redis_up 1');
      // No campaign is active: the process serves no queue.
      expect(before).toContain('herald_worker_queues{state="live"} 0');
      expect(before).toContain('herald_worker_queues{state="parked"} 0');
      await redis.stop();

      const started = Date.now();
      const ready = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5000) });
      expect(ready.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(2500);
      const metrics = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5000) });
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      expect(text).toContain('herald_redis_up 0');
      expect(text).toContain('herald_worker_up 1');

      const stopping = Date.now();
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toEqual({ code: 0, signal: null });
      expect(Date.now() - stopping).toBeLessThan(6000);
      expect(worker.output()).not.toContain('Unhandled error event');
    } finally {
      if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
      await sandbox.close();
      await redis.stop();
    }
  });
});
