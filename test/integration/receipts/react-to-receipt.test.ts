import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import { nextResetAt } from '../../../src/domain/daily-reset.js';
import { parseRateGroupsFile } from '../../../src/domain/rate-group-file.js';
import { type SendEventMap, SendEvents } from '../../../src/observe/send-events.js';
import { CampaignStore } from '../../../src/queue/campaign-store.js';
import { type Keys, makeKeys } from '../../../src/store/keys.js';
import { connectRedis } from '../../../src/redis/redis-connection.js';
import type { Receipt } from '../../../src/receipts/parse-callback.js';
import { statusStep } from '../../../src/receipts/status-order.js';
import { GroupsInUse } from '../../../src/rate/groups-in-use.js';
import { Holds } from '../../../src/rate/holds.js';
import { RateGroupsStore } from '../../../src/rate/rate-groups-store.js';
import { RatePacer } from '../../../src/rate/rate-pacer.js';
import { reactToReceipt } from '../../../src/receipts/react-to-receipt.js';
import { testSpec } from '../../helpers/campaign.js';
import { deleteKeys, testRedisUrl, uniquePrefix } from '../../helpers/stack.js';

const GROUPS = {
  groups: [
    { name: 'acme', kind: 'brand', dailyCap: { segments: 2000, resetAt: '00:00', timeZone: 'America/New_York' } },
    { name: 'acme-10dlc', kind: 'pool', parent: 'acme', limit: '12/s', memberLimit: 'none', senders: ['+14155550100'] },
  ],
};

describe('receipts that speak of a group', () => {
  let connection: Redis;
  let keys: Keys;
  let deps: Parameters<typeof reactToReceipt>[1];
  const held: SendEventMap['held'][0][] = [];
  const spec = testSpec({ campaign: 'receipts', from: ['+14155550100'], body: 'Hi' });

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('react-receipt'));
    const parsed = parseRateGroupsFile(JSON.stringify(GROUPS));
    if (!parsed.ok) throw new Error(parsed.reason);
    const store = new RateGroupsStore(connection, keys);
    await store.apply(parsed.groups);
    const groups = new GroupsInUse(store);
    await groups.refresh();
    const campaigns = new CampaignStore(connection, keys);
    await campaigns.open(spec);
    const events = new SendEvents();
    events.on('held', (event) => held.push(event));
    deps = {
      store: campaigns,
      groups,
      pacer: new RatePacer(connection, keys),
      holds: new Holds(connection, keys),
      events,
    };
  });

  afterAll(async () => {
    await deleteKeys(connection, keys.prefix);
    await connection.quit();
  });

  const receipt = (code: string): Receipt => ({
    campaign: spec.name,
    to: '+14155551234',
    sid: `SM${'a'.repeat(32)}`,
    status: 'undelivered',
    step: statusStep('undelivered')!,
    code,
    channel: 'sms',
    from: '+14155550100',
  });

  it('30027 holds the sender’s brand until its cap resets, and says so once', async () => {
    const now = Date.now();
    await reactToReceipt(receipt('30027'), deps, now);
    await reactToReceipt(receipt('30027'), deps, now + 1);
    const chain = deps.groups.chainOf(spec.senders[0]!.sender);
    expect(await deps.holds.heldIn(chain)).toEqual({
      link: expect.objectContaining({ id: 'g:acme', level: 'brand' }),
      hold: expect.objectContaining({
        state: 'held',
        code: '30027',
        until: nextResetAt('00:00', 'America/New_York', now),
      }),
    });
    expect(held).toEqual([
      { campaign: spec.name, subject: 'acme', level: 'brand', hold: expect.objectContaining({ code: '30027' }) },
    ]);
  });

  it('30022 throttles the sender’s pool; other codes do nothing', async () => {
    const chain = deps.groups.chainOf(spec.senders[0]!.sender);
    const before = Date.now();
    await reactToReceipt(receipt('30003'), deps);
    expect(await connection.hget(keys.rateChain(chain.tag), 'g:acme-10dlc:tat')).toBeNull();
    await reactToReceipt(receipt('30022'), deps);
    expect(Number(await connection.hget(keys.rateChain(chain.tag), 'g:acme-10dlc:tat'))).toBeGreaterThanOrEqual(
      before + 990,
    );
  });
});
