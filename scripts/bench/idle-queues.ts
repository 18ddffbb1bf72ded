import { parseArgs } from 'node:util';

import { createRedisBackend, Worker } from 'bullmq';

import type { CampaignName } from '../../src/domain/campaign.js';
import { stopChildrenOnExit } from '../../src/local/children.js';
import { startLocalRedis } from '../../src/local/redis-server.js';
import { connectRedis } from '../../src/redis/redis-connection.js';
import { ParkableQueue } from '../../src/send/parked-queues.js';
import { makeKeys, queueNameOf } from '../../src/store/keys.js';
import { QueueWakeups } from '../../src/store/queue-wakeups.js';

/**
 * `node dist/scripts/bench/idle-queues.js [--queues 1000] [--bullmq | --park]`: what idle send queues cost one
 * process. Starts that many BullMQ Workers on empty queues, built as herald's worker process builds them (waiting
 * through src/store/queue-wakeups.ts), or with BullMQ's own backend (`--bullmq`: a blocking connection per Worker),
 * or parks them once started as the worker process parks idle queues (`--park`: src/send/parked-queues.ts, swept
 * every 30 s as there); after a settling time, counts for 20 s the Redis connections, the commands Redis ran, the
 * process's CPU, and then its memory after a garbage collection (run with `node --expose-gc`).
 */
const { values: flags } = parseArgs({
  options: {
    queues: { type: 'string', default: '1000' },
    bullmq: { type: 'boolean', default: false },
    park: { type: 'boolean', default: false },
    seconds: { type: 'string', default: '20' },
  },
});
const queues = Number(flags.queues);
const seconds = Number(flags.seconds);

function callsOf(stats: string, command: string): number {
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
}

async function main(): Promise<void> {
  const redis = await startLocalRedis({ install: true });
  const connection = await connectRedis(redis.url, { role: 'worker' });
  const keys = makeKeys('idle');
  const wakeups = QueueWakeups.backendFor(connection, keys);
  const backend = flags.bullmq ? { factory: createRedisBackend } : wakeups;
  const campaign = 'idle' as CampaignName;
  const build = (lane: string) => () =>
    new Worker(
      queueNameOf(campaign, lane),
      async () => undefined,
      { connection, prefix: keys.prefix },
      backend.factory,
    );
  const lanes = Array.from({ length: queues }, (_, index) => `p${index}`);
  const workers = flags.park ? [] : lanes.map((lane) => build(lane)());
  const parkable = flags.park
    ? lanes.map(
        (lane) =>
          new ParkableQueue({
            campaign,
            lane,
            keys,
            connection,
            backend: wakeups,
            build: build(lane),
            onError: (error) => console.error(error),
          }),
      )
    : [];
  for (const queue of parkable) queue.run();
  const sweep = setInterval(() => void Promise.all(parkable.map((queue) => queue.sweep(0))), 30_000);
  try {
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await Promise.all(parkable.map((queue) => queue.sweep(0)));
    if (parkable.some((queue) => !queue.parked)) throw new Error('a queue was not parked');
    await connection.config('RESETSTAT');
    const cpuBefore = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const cpu = process.cpuUsage(cpuBefore);
    const stats = await connection.info('commandstats');
    const clients = Number(/connected_clients:(\d+)/.exec(await connection.info('clients'))?.[1]);
    (globalThis as { gc?: () => void }).gc?.();
    const memory = process.memoryUsage();
    console.log(
      JSON.stringify({
        queues,
        backend: flags.bullmq ? 'bullmq' : flags.park ? 'herald, parked' : 'herald',
        seconds,
        redisConnections: clients,
        bzpopmin: callsOf(stats, 'bzpopmin'),
        scripts: callsOf(stats, 'evalsha') + callsOf(stats, 'eval'),
        exists: callsOf(stats, 'exists'),
        commands: [...stats.matchAll(/calls=(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0),
        processCpuMs: Math.round((cpu.user + cpu.system) / 1000),
        rssMB: Math.round(memory.rss / 1e6),
        heapMB: Math.round(memory.heapUsed / 1e6),
      }),
    );
  } finally {
    clearInterval(sweep);
    await Promise.all([...workers.map((worker) => worker.close()), ...parkable.map((queue) => queue.close())]);
    await wakeups.close();
    connection.disconnect();
    await redis.stop();
  }
}

stopChildrenOnExit();
main().catch((error: unknown) => {
  console.error(`idle-queues failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
