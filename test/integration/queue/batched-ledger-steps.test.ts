import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import type { CampaignName } from '../../../src/domain/campaign.js';
import type { E164 } from '../../../src/domain/e164.js';
import { CampaignStore } from '../../../src/queue/campaign-store.js';
import { type Keys, makeKeys } from '../../../src/store/keys.js';
import { Ledger } from '../../../src/store/ledger.js';
import { connectRedis } from '../../../src/queue/redis-connection.js';
import { CampaignGate } from '../../../src/send/campaign-gate.js';
import { testSpec } from '../../helpers/campaign.js';
import { deleteKeys, testRedisUrl, uniquePrefix } from '../../helpers/stack.js';

const SENDER = 'p14155550100';
const numbers = (count: number, first: number) =>
  Array.from({ length: count }, (_, index) => `+1212555${String(first + index).padStart(4, '0')}` as E164);

/**
 * A worker's gate-and-begin asks and settles that come in the same turn go to Redis together, one call per campaign
 * each; every recipient keeps its own answer, as if asked alone in that order.
 */
describe('the campaign gate and the ledger, many recipients at once', () => {
  let connection: Redis;
  let keys: Keys;
  let ledger: Ledger;

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('settle'));
    ledger = new Ledger(connection, keys);
  });

  afterAll(async () => {
    await deleteKeys(connection, keys.prefix);
    await connection.quit();
  });

  async function begun(name: string, recipients: readonly E164[]): Promise<CampaignName> {
    const campaign = name as CampaignName;
    await new CampaignStore(connection, keys).open(testSpec({ campaign: name, from: ['+14155550100'], body: 'Hi' }));
    await ledger.claim(
      campaign,
      recipients.map((to) => ({ to, senderId: SENDER, channel: 'sms' as const })),
    );
    expect(await ledger.finishIngest(campaign)).toBe(false);
    for (const to of recipients) expect(await ledger.begin(campaign, to, `${to}/1`)).toEqual({ kind: 'go' });
    return campaign;
  }

  it('settles each once, counts each, and says finished for exactly the settle that finished the campaign', async () => {
    const recipients = numbers(5, 0);
    const campaign = await begun('many', recipients);
    const results = await Promise.all([
      ...recipients.map((to, index) =>
        ledger.settle(
          campaign,
          to,
          'sms',
          index === 3 ? { state: 'failed', code: '21211' } : { state: 'sent', sid: `SM${index}` },
        ),
      ),
      // The same recipient again in the same batch: the first settle stands.
      ledger.settle(campaign, recipients[0]!, 'sms', { state: 'unknown', reason: 'no-answer' }),
    ]);
    expect(results).toEqual([
      { changed: true, finished: false, confirmed: true },
      { changed: true, finished: false, confirmed: true },
      { changed: true, finished: false, confirmed: true },
      { changed: true, finished: false, confirmed: true },
      { changed: true, finished: true, confirmed: true },
      { changed: false, finished: false, confirmed: true },
    ]);
    expect(await connection.hget(keys.recipients(campaign), recipients[0]!)).toBe('s:SM0');
    expect(await connection.hget(keys.recipients(campaign), recipients[3]!)).toBe('f:21211');
    expect(await connection.hgetall(keys.counts(campaign))).toMatchObject({
      sent: '4',
      'sent:sms': '4',
      failed: '1',
      'failed:sms:21211': '1',
    });
    expect(await connection.hget(keys.campaign(campaign), 'state')).toBe('finished');
  });

  it('answers each gate-and-begin ask of one turn in order: a second ask for a recipient finds the first in flight', async () => {
    const recipients = numbers(3, 300);
    const campaign = 'gate' as CampaignName;
    await new CampaignStore(connection, keys).open(testSpec({ campaign, from: ['+14155550100'], body: 'Hi' }));
    await ledger.claim(
      campaign,
      recipients.map((to) => ({ to, senderId: SENDER, channel: 'sms' as const })),
    );
    const gate = new CampaignGate(connection, keys);
    const at = new Date();
    const answers = await Promise.all([
      ...recipients.map((to) => gate.checkAndBegin(campaign, to, `${to}/1`, at)),
      gate.checkAndBegin(campaign, recipients[0]!, `${recipients[0]}/2`, at),
    ]);
    expect(answers).toEqual([
      { kind: 'go' },
      { kind: 'go' },
      { kind: 'go' },
      { kind: 'in-flight', since: at.getTime(), token: `${recipients[0]}/1`, written: false },
    ]);
    // Paused: every ask of the next turn is turned away, and nothing more begins.
    await connection.hset(keys.campaign(campaign), 'state', 'paused');
    const more = numbers(2, 400);
    await ledger.claim(
      campaign,
      more.map((to) => ({ to, senderId: SENDER, channel: 'sms' as const })),
    );
    await expect(Promise.all(more.map((to) => gate.checkAndBegin(campaign, to, `${to}/1`)))).resolves.toEqual([
      { kind: 'paused' },
      { kind: 'paused' },
    ]);
    expect(await connection.hmget(keys.recipients(campaign), ...more)).toEqual([`q:${SENDER}`, `q:${SENDER}`]);
  });

  it("keeps two campaigns' settles apart when they come in the same turn", async () => {
    const [first, second] = [numbers(2, 100), numbers(3, 200)];
    const [one, two] = [await begun('one', first), await begun('two', second)];
    const results = await Promise.all([
      ...first.map((to) => ledger.settle(one, to, 'sms', { state: 'sent', sid: 'SMa' })),
      ...second.map((to) => ledger.settle(two, to, 'sms', { state: 'sent', sid: 'SMb' })),
    ]);
    expect(results.map((result) => result.finished)).toEqual([false, true, false, false, true]);
    expect(await connection.hget(keys.counts(one), 'sent')).toBe('2');
    expect(await connection.hget(keys.counts(two), 'sent')).toBe('3');
  });

  it('settles a turn of more recipients than one write of the script takes, each once', async () => {
    // The script writes the states and records in slices of 1,000 values (500 recipients): 1,200 recipients take three.
    const recipients = numbers(1200, 5000);
    const campaign = await begun('large', recipients);
    const results = await Promise.all(
      recipients.map((to, index) =>
        ledger.settle(campaign, to, 'sms', { state: 'sent', sid: `SM${index}` }, `record-${index}`),
      ),
    );
    expect(results.filter((result) => result.changed)).toHaveLength(1200);
    expect(results.filter((result) => result.finished)).toHaveLength(1);
    expect(results.at(-1)).toEqual({ changed: true, finished: true, confirmed: true });
    const states = await connection.hmget(keys.recipients(campaign), ...recipients);
    expect(states).toEqual(recipients.map((_, index) => `s:SM${index}`));
    const records = await connection.hmget(keys.details(campaign), ...recipients);
    expect(records).toEqual(recipients.map((_, index) => `record-${index}`));
    expect(await connection.hmget(keys.counts(campaign), 'sent', 'sent:sms')).toEqual(['1200', '1200']);
  });

  it('opens a scheduled campaign whose time has come once for the whole turn, and holds one not yet due', async () => {
    const gate = new CampaignGate(connection, keys);
    const due = 'due' as CampaignName;
    const later = 'later' as CampaignName;
    const recipients = numbers(3, 700);
    for (const [campaign, startAtMs] of [
      [due, Date.now() - 1000],
      [later, Date.now() + 60_000],
    ] as const) {
      await new CampaignStore(connection, keys).open(testSpec({ campaign, from: ['+14155550100'], body: 'Hi' }));
      await connection.hset(keys.campaign(campaign), 'state', 'scheduled', 'startAtMs', startAtMs);
      await ledger.claim(
        campaign,
        recipients.map((to) => ({ to, senderId: SENDER, channel: 'sms' as const })),
      );
    }
    await connection.hdel(keys.campaign(due), 'startedAt');
    const at = new Date();
    const [opened, held] = await Promise.all([
      Promise.all(recipients.map((to) => gate.checkAndBegin(due, to, `${to}/1`, at))),
      Promise.all(recipients.map((to) => gate.checkAndBegin(later, to, `${to}/1`, at))),
    ]);
    expect(opened).toEqual(recipients.map(() => ({ kind: 'go' })));
    expect(await connection.hmget(keys.campaign(due), 'state', 'startedAt')).toEqual(['running', at.toISOString()]);
    expect(held.map((answer) => answer.kind)).toEqual(['wait', 'wait', 'wait']);
    expect(await connection.hget(keys.campaign(later), 'state')).toBe('scheduled');
    expect(await connection.hmget(keys.recipients(later), ...recipients)).toEqual(recipients.map(() => `q:${SENDER}`));
  });
});
