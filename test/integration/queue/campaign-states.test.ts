import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import type { CampaignName } from '../../../src/domain/campaign.js';
import { CampaignControl } from '../../../src/queue/campaign-control.js';
import { CampaignConflictError, CampaignStore } from '../../../src/queue/campaign-store.js';
import { type Keys, makeKeys } from '../../../src/store/keys.js';
import { connectRedis } from '../../../src/redis/redis-connection.js';
import { testSpec } from '../../helpers/campaign.js';
import { deleteKeys, testRedisUrl, uniquePrefix } from '../../helpers/stack.js';

describe('campaign states in Redis', () => {
  let connection: Redis;
  let keys: Keys;
  let store: CampaignStore;
  let control: CampaignControl;
  const spec = (name: string) => testSpec({ campaign: name, from: ['+14155550100'], body: 'Hi' });

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('states'));
    store = new CampaignStore(connection, keys);
    control = new CampaignControl(connection, keys, store);
  });

  afterAll(async () => {
    await deleteKeys(connection, keys.prefix);
    await connection.quit();
  });

  it('a scheduled campaign keeps its schedule on a re-run without --send-at and refuses another time', async () => {
    const startAt = new Date(Date.now() + 3_600_000);
    const first = await store.open(spec('sched'), { startAt });
    expect(first.record).toMatchObject({ state: 'scheduled', startAt: startAt.toISOString() });
    expect((await store.open(spec('sched'))).record).toMatchObject({
      state: 'scheduled',
      startAt: startAt.toISOString(),
    });
    expect((await store.open(spec('sched'), { startAt })).record.state).toBe('scheduled');
    await expect(store.open(spec('sched'), { startAt: new Date(startAt.getTime() + 60_000) })).rejects.toThrow(
      `campaign sched already exists scheduled for ${startAt.toISOString()}; run it again without --send-at to add to it, with --replace to change its time if it has not sent anything yet, or use a new --campaign name`,
    );
  });

  it('pause and resume a scheduled campaign: back to scheduled while its start is ahead', async () => {
    await store.open(spec('sched-pause'), { startAt: new Date(Date.now() + 3_600_000) });
    expect(await control.pause('sched-pause' as CampaignName)).toEqual({ changed: true, state: 'paused' });
    expect(await store.get('sched-pause' as CampaignName)).toMatchObject({
      state: 'paused',
      pausedAt: expect.any(String),
    });
    expect(await control.resume('sched-pause' as CampaignName)).toEqual({ changed: true, state: 'scheduled' });
    expect(await control.resume('sched-pause' as CampaignName)).toEqual({ changed: false, state: 'scheduled' });
  });

  it('refuses to pause or cancel a finished campaign, and to reopen a cancelled one', async () => {
    await store.open(spec('done'));
    await connection.hset(keys.campaign('done' as CampaignName), 'state', 'finished');
    await expect(control.pause('done' as CampaignName)).rejects.toThrow(
      'campaign done is finished; it cannot be paused',
    );
    await expect(control.cancel('done' as CampaignName)).rejects.toThrow(
      'campaign done is finished; it cannot be cancelled',
    );

    await store.open(spec('gone'));
    expect(await control.cancel('gone' as CampaignName)).toEqual({ changed: true, state: 'cancelled', cancelled: 0 });
    // Cancelling again changes nothing, but sweeps the queues once more (for a producer that raced the first).
    expect(await control.cancel('gone' as CampaignName)).toEqual({ changed: false, state: 'cancelled', cancelled: 0 });
    await expect(store.open(spec('gone'))).rejects.toThrow(CampaignConflictError);
    await expect(store.open(spec('gone'))).rejects.toThrow(
      /^campaign gone was cancelled at .*use a new --campaign name$/,
    );
  });
});
