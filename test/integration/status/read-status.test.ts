import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

import type { CampaignName } from '../../../src/domain/campaign.js';
import { EXAMPLE_PRICES } from '../../../src/estimate/price-table.js';
import { SendEvents, type SendAttempt } from '../../../src/observe/send-events.js';
import { SentUnitsRecorder } from '../../../src/observe/sent-units-recorder.js';
import { CampaignStore } from '../../../src/queue/campaign-store.js';
import { type Keys, makeKeys, queueNameOf } from '../../../src/store/keys.js';
import { connectRedis } from '../../../src/redis/redis-connection.js';
import { chainOf, NO_GROUPS, senderLinkId } from '../../../src/domain/rate-group.js';
import { parseSender } from '../../../src/domain/sender.js';
import { Holds } from '../../../src/rate/holds.js';
import { buildStatusView } from '../../../src/status/format-status.js';
import { readStatus } from '../../../src/status/read-status.js';
import { readWorkerPresence, redisNow, WorkerHeartbeat } from '../../../src/status/worker-heartbeat.js';
import { testSpec } from '../../helpers/campaign.js';
import { deleteKeys, testRedisUrl, uniquePrefix } from '../../helpers/stack.js';

const SENDERS = ['p14155550100', 'p14155550101'];

describe('what herald status reads from Redis', () => {
  let connection: Redis;
  let keys: Keys;
  let store: CampaignStore;
  const queues: Queue[] = [];

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('status'));
    store = new CampaignStore(connection, keys);
  });

  afterAll(async () => {
    await Promise.all(queues.map((queue) => queue.close()));
    await deleteKeys(connection, keys.prefix);
    await connection.quit();
  });

  const queueOf = (campaign: string, sender: string) => {
    const queue = new Queue(queueNameOf(campaign as CampaignName, sender), { connection, prefix: keys.prefix });
    queues.push(queue);
    return queue;
  };

  it('tells whether workers are alive: never seen, announcing, gone quiet, stopped', async () => {
    expect(await readWorkerPresence(connection, keys)).toMatchObject({ alive: 0, lastSeenAt: undefined });

    const first = new WorkerHeartbeat(connection, keys, (error) => {
      throw error;
    });
    const second = new WorkerHeartbeat(connection, keys, (error) => {
      throw error;
    });
    await first.start();
    await second.start();
    const now = await redisNow(connection);
    const both = await readWorkerPresence(connection, keys);
    expect(both.alive).toBe(2);
    expect(Math.abs(both.lastSeenAt! - now)).toBeLessThan(1000);

    await first.stop();
    expect((await readWorkerPresence(connection, keys)).alive).toBe(1);
    await second.stop();
    const none = await readWorkerPresence(connection, keys);
    expect(none).toMatchObject({ alive: 0, lastSeenAt: expect.any(Number) });

    // A worker killed without stopping leaves its last announcement, which ages: 40 s ago is not alive.
    await connection.hset(
      keys.workers,
      'gone/1/x',
      JSON.stringify({ host: 'gone', pid: 1, startedAt: now - 90_000, seenAt: now - 40_000 }),
    );
    const quiet = await readWorkerPresence(connection, keys);
    expect(quiet.alive).toBe(0);

    // A worker starting tidies away the entries of workers not heard from for a week.
    await connection.hset(
      keys.workers,
      'old/2/y',
      JSON.stringify({ host: 'old', pid: 2, startedAt: now - 9 * 86_400_000, seenAt: now - 8 * 86_400_000 }),
    );
    const third = new WorkerHeartbeat(connection, keys, (error) => {
      throw error;
    });
    await third.start();
    await third.stop();
    const ids = Object.keys(await connection.hgetall(keys.workers));
    expect(ids).toContain('gone/1/x');
    expect(ids).not.toContain('old/2/y');
    expect(ids).toHaveLength(4);
  });

  it('reads holds, the cost so far, and who waits for their window (delayed beyond two minutes)', async () => {
    const name = 'windowed' as CampaignName;
    const spec = testSpec({
      campaign: name,
      from: ['+14155550100', '+14155550101'],
      body: 'Hi',
      window: '09:00-20:00',
    });
    await store.open(spec);
    await connection.hset(keys.counts(name), 'queued', 6);
    const now = await redisNow(connection);
    const [a, b] = SENDERS.map((sender) => queueOf(name, sender)) as [Queue, Queue];
    // Window waits: an hour and three hours ahead; a retry's backoff (30 s) and a waiting job are not.
    await a.add('send', {}, { jobId: '+14155551001', delay: 3_600_000 });
    await b.add('send', {}, { jobId: '+14155551002', delay: 3 * 3_600_000 });
    await b.add('send', {}, { jobId: '+14155551003', delay: 3_600_000 });
    await a.add('send', {}, { jobId: '+14155551004', delay: 30_000 });
    await a.add('send', {}, { jobId: '+14155551005' });

    const events = new SendEvents();
    const recorder = new SentUnitsRecorder(connection, keys);
    recorder.start(events, (error) => {
      throw error;
    });
    const sent = (jobId: string, cost: number, channel: SendAttempt['channel'] = 'sms'): SendAttempt => ({
      campaign: name,
      senderId: SENDERS[0]!,
      channel,
      outcome: 'sent',
      cost,
      jobId,
      line: 2,
    });
    events.emit('attempt', sent('+14155551006', 2));
    events.emit('attempt', sent('+14155551007', 1));
    events.emit('attempt', { ...sent('+14155551008', 3), outcome: 'failed' });
    events.emit('attempt', sent('+442079460000', 1));
    await recorder.stop();
    expect(await connection.hgetall(keys.counts(name))).toMatchObject({
      'sent-units:sms:US': '3',
      'sent-units:sms:GB': '1',
    });

    const holds = new Holds(connection, keys);
    const chain = chainOfId(SENDERS[1]!);
    await holds.hold(chain, chain.links[0]!, {
      state: 'halted',
      code: '21606',
      reason: 'From is not a valid message-capable number',
    });
    const snapshot = (await readStatus(connection, keys, store, name))!;
    expect(snapshot.senders.map((sender) => sender.hold?.hold.state)).toEqual([undefined, 'halted']);
    expect(snapshot.windowWaits).toEqual({
      recipients: 3,
      firstAt: expect.any(Number),
      lastAt: expect.any(Number),
    });
    expect(Math.abs(snapshot.windowWaits!.firstAt - (now + 3_600_000))).toBeLessThan(5000);
    expect(Math.abs(snapshot.windowWaits!.lastAt - (now + 3 * 3_600_000))).toBeLessThan(5000);

    // A sender held until a time (a daily cap): its jobs wait for the hold, not for a window.
    await holds.lift(chain.tag, senderLinkId(SENDERS[1]!));
    await holds.hold(chain, chain.links[0]!, {
      state: 'held',
      code: '63038',
      reason: 'daily cap',
      until: now + 6 * 3_600_000,
    });
    expect((await readStatus(connection, keys, store, name))!.windowWaits).toMatchObject({ recipients: 1 });

    const view = buildStatusView(snapshot, undefined, EXAMPLE_PRICES);
    // 3 US segments at 0.0083 and 1 GB segment at 0.0524.
    expect(view.cost).toMatchObject({ currency: 'USD', unpricedUnits: 0 });
    expect(view.cost!.total).toBeCloseTo(3 * 0.0083 + 0.0524, 6);
  });
});

/** A sender's chain with no rate groups, from its id (`p14155550100`). */
function chainOfId(id: string) {
  const parsed = parseSender(`+${id.slice(1)}`);
  if (!parsed.ok) throw new Error(parsed.reason);
  return chainOf(NO_GROUPS, parsed.sender);
}
