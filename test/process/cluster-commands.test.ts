import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { type LocalRedisCluster, startLocalRedisCluster } from '../../src/local/redis-cluster.js';
import { makeKeys } from '../../src/store/keys.js';
import { connectConfiguredRedis, type RedisClient } from '../../src/redis/redis-connection.js';
import { chainOf, NO_GROUPS } from '../../src/domain/rate-group.js';
import { parseSender } from '../../src/domain/sender.js';
import { Holds } from '../../src/rate/holds.js';
import type { CampaignName } from '../../src/domain/campaign.js';
import type { E164 } from '../../src/domain/e164.js';
import { FrequencyCap } from '../../src/store/frequency-cap.js';
import { countHeld, recordHold } from '../../src/store/held-recipients.js';
import { HERALD_BIN, spawnNode } from '../helpers/processes.js';
import { testRedisUrl, uniquePrefix } from '../helpers/stack.js';

/**
 * Every CLI command against a Redis Cluster given by REDIS_CLUSTER_NODES, as workers are configured. REDIS_URL names
 * the run's single redis-server, which the commands must ignore: a command that read it would find nothing there.
 */
describe('every CLI command on a Redis Cluster', () => {
  let cluster: LocalRedisCluster;
  let connection: RedisClient;
  const prefix = uniquePrefix('cl-cli');

  beforeAll(async () => {
    // Three masters and no replicas: what a command needs of a cluster (slots on several nodes), started fast.
    cluster = await startLocalRedisCluster({ masters: 3, replicasPerMaster: 0 });
    connection = await connectConfiguredRedis({ redisUrl: cluster.url }, { role: 'command' });
  }, 60_000);
  afterAll(async () => {
    connection?.disconnect();
    await cluster?.stop();
  });

  const herald = async (...args: string[]) => {
    const run = spawnNode([HERALD_BIN, ...args], {
      REDIS_CLUSTER_NODES: cluster.seeds,
      REDIS_URL: testRedisUrl(),
      HERALD_PREFIX: prefix,
    });
    const { code } = await run.exited;
    return { code, output: run.output().trim() };
  };

  it('send, status, campaigns, pause, resume, report, resend-failed, senders, senders resume, optouts and cancel', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'herald-cl-cli-')), 'r.csv');
    writeFileSync(file, 'phone,name\n+14155550201,A\n+14155550202,B\n+14155550203,C\n');
    const rejected = join(tmpdir(), `${prefix}.rejected.csv`);
    const from = ['--from', '+14155550100', '--from', '+14155550101'];
    const sent = await herald(
      'send',
      file,
      '--campaign',
      'promo',
      ...from,
      '--body',
      'Hi {{name}}',
      // Not about the compliance rules: it must send at any hour.
      '--transactional',
      '--rejected',
      rejected,
    );
    expect(sent).toMatchObject({ code: 0, output: expect.stringContaining('queued    3') });

    // Reads and writes that touch one campaign, and the lists that span every node, run side by side.
    const holds = new Holds(connection, makeKeys(prefix));
    const parsed = parseSender('+14155550100');
    if (!parsed.ok) throw new Error(parsed.reason);
    const chain = chainOf(NO_GROUPS, parsed.sender);
    await holds.hold(chain, chain.links[0]!, { state: 'halted', code: '21212', reason: 'invalid From number' });
    const [status, campaigns, senders, report] = await Promise.all([
      herald('status', 'promo'),
      herald('campaigns'),
      herald('senders'),
      herald('report', 'promo'),
    ]);
    expect(status).toMatchObject({ code: 0, output: expect.stringMatching(/^promo: .*queued 3, sent 0,/) });
    expect(campaigns).toMatchObject({ code: 0, output: expect.stringMatching(/\npromo +running /) });
    expect(senders).toMatchObject({ code: 0, output: expect.stringMatching(/p14155550100 .*halted since/) });
    expect(report.code).toBe(0);
    expect(
      report.output
        .split('\n')
        .slice(1)
        .sort()
        .map((row) => row.split(',')[1]),
    ).toEqual(['+14155550201', '+14155550202', '+14155550203']);

    expect(await herald('senders', 'resume', '+14155550100')).toEqual({
      code: 0,
      output:
        'sender p14155550100 was halted (21212 invalid From number); resumed; 1 queue(s) of active campaigns asked to send now',
    });
    expect(await holds.heldIn(chain)).toBeUndefined();

    expect(await herald('pause', 'promo')).toMatchObject({ code: 0, output: expect.stringMatching(/^promo: paused;/) });
    expect(await herald('resume', 'promo')).toEqual({ code: 0, output: 'promo: running' });
    expect(await herald('resend-failed', 'promo')).toMatchObject({
      code: 0,
      output: expect.stringContaining('resent 0'),
    });
    expect(await herald('optouts', 'add', '+14155550209')).toMatchObject({ code: 0 });
    expect(await herald('optouts', 'list')).toMatchObject({ code: 0, output: expect.stringContaining('+14155550209') });
    expect(await herald('cancel', 'promo')).toMatchObject({
      code: 0,
      output: 'promo: cancelled; 3 recipients still queued will not be texted',
    });
  }, 90_000);

  it('keeps the compliance records on a cluster: frequency counts in each number’s slot, and holds', async () => {
    const keys = makeKeys(prefix);
    const cap = new FrequencyCap(connection, keys, 1);
    const numbers = ['+14155550170', '+14155550171', '+14155550172', '+14155550173'] as E164[];
    // Numbers of their own slots, on several masters: one script each, never across slots.
    const masters = new Set(
      await Promise.all(numbers.map(async (to) => (await cluster.masterOf(keys.frequency(to))).id)),
    );
    expect(masters.size).toBeGreaterThan(1);
    for (const to of numbers) {
      expect(await cap.count(to, 'first' as CampaignName)).toEqual({ kind: 'counted' });
      expect(await cap.count(to, 'second' as CampaignName)).toMatchObject({ kind: 'over' });
      await cap.giveBack(to, 'first' as CampaignName);
      expect(await cap.count(to, 'second' as CampaignName)).toEqual({ kind: 'counted' });
    }
    const until = Date.now() + 3_600_000;
    await recordHold(connection, keys, 'held' as CampaignName, numbers[0]!, { reason: 'frequency-cap', until });
    expect(await countHeld(connection, keys, 'held' as CampaignName, Date.now())).toEqual({
      'quiet-hours': 0,
      'frequency-cap': 1,
    });
  });
});
