import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

import type { CampaignName } from '../../src/domain/campaign.js';
import { CampaignStore } from '../../src/queue/campaign-store.js';
import { type Keys, makeKeys, queueNameOf } from '../../src/store/keys.js';
import { connectRedis } from '../../src/redis/redis-connection.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { HERALD_BIN, spawnNode } from '../helpers/processes.js';
import { deleteKeys, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, testRedisUrl, uniquePrefix } from '../helpers/stack.js';

const dir = mkdtempSync(join(tmpdir(), 'herald-life-'));
const FILE = join(dir, 'people.csv');
writeFileSync(FILE, 'phone,name\nnope,X\n+14155558001,Ann\n+14155558002,Bob\n+14155558003,Cy\n');

/** A campaign's life before it sends: a test send to staff, then a scheduled campaign changed before its start. */
describe('herald send --test-to and --replace', () => {
  let connection: Redis;
  let keys: Keys;
  let store: CampaignStore;
  let sandbox: Sandbox;
  const herald = async (...args: string[]) => {
    const run = spawnNode([HERALD_BIN, ...args], {
      REDIS_URL: testRedisUrl(),
      HERALD_PREFIX: keys.prefix,
      TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      HERALD_TWILIO_BASE_URL: sandbox.url,
      TZ: 'UTC',
    });
    const { code } = await run.exited;
    return { code, output: run.output() };
  };
  const send = (campaign: string, body: string, ...extra: string[]) =>
    // Not about the compliance rules: it must send at any hour.
    herald('send', FILE, '--campaign', campaign, '--from', '+14155550100', '--body', body, '--transactional', ...extra);

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('life'));
    store = new CampaignStore(connection, keys);
    sandbox = await startSandbox({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
  });
  afterAll(async () => {
    await sandbox.close();
    await deleteKeys(connection, keys.prefix);
    await connection.quit();
  });

  it('sends the first rendered messages to staff numbers, from the recipients’ sender, and queues nothing', async () => {
    const result = await send('spring', 'Hi {{name}}!', '--test-to', '+14155550901', '--test-to', '+1 415 555 0902');
    expect(result).toEqual({
      code: 0,
      output: expect.stringContaining('test send of campaign spring: nothing was queued'),
    });
    expect(result.output).toContain('line 2: invalid number: nope');
    expect(result.output).toMatch(
      / {2}line 3 → \+14155550901 \(in place of \+14155558001\) from \+14155550100, sms: sent SM\w{32}\n {6}Hi Ann!\n/,
    );
    expect(result.output).toMatch(
      / {2}line 4 → \+14155550902 \(in place of \+14155558002\) from \+14155550100, sms: sent SM\w{32}\n {6}Hi Bob!\n/,
    );
    expect(
      sandbox.requests().map((request) => [request.params['To'], request.params['From'], request.params['Body']]),
    ).toEqual([
      ['+14155550901', '+14155550100', 'Hi Ann!'],
      ['+14155550902', '+14155550100', 'Hi Bob!'],
    ]);
    expect(await connection.keys(`${keys.prefix}:*`)).toEqual([]);

    // A staff number Twilio refuses (a test number that opted out) is reported, and the command exits 1.
    const refused = await send('spring', 'Hi {{name}}!', '--test-to', '+15005550004');
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('sms: failed: 21610');
    expect(await send('spring', 'x', '--test-to', 'not-a-number')).toMatchObject({ code: 2 });
  });

  it('changes a scheduled campaign that has sent nothing, and refuses once sending has begun', async () => {
    const name = 'black-friday' as CampaignName;
    expect(await send(name, 'Sale at 9', '--send-at', '+2h')).toMatchObject({ code: 0 });
    const changed = await send(name, 'Sale at 10, {{name}}', '--send-at', '+3h');
    expect(changed).toEqual({
      code: 1,
      output: expect.stringMatching(
        /already exists with other templates; if it has not sent anything yet, run again with --replace/,
      ),
    });

    const replaced = await send(name, 'Sale at 10, {{name}}', '--send-at', '+3h', '--replace');
    expect(replaced.code).toBe(0);
    expect(replaced.output).toMatch(/queued {4}3 \(sms 3\)/);
    const record = await store.get(name);
    expect(record).toMatchObject({ state: 'scheduled', spec: { templates: { body: 'Sale at 10, {{name}}' } } });
    expect(Date.parse(record!.startAt!) - Date.now()).toBeGreaterThan(2.5 * 3_600_000);
    expect(await store.counts(name)).toMatchObject({ queued: 3, rejected: 1 });
    const queue = new Queue(queueNameOf(name, 'p14155550100'), { connection, prefix: keys.prefix });
    try {
      expect(await queue.getDelayedCount()).toBe(3);
    } finally {
      await queue.close();
    }

    // Once a send has begun (the gate records startedAt with it), the campaign can no longer be changed.
    await connection.hset(keys.campaign(name), 'startedAt', new Date().toISOString());
    const late = await send(name, 'Sale at 11', '--replace');
    expect(late).toEqual({
      code: 1,
      output: expect.stringMatching(
        /^herald: campaign black-friday began sending at .* UTC; it cannot be changed any more: use a new --campaign name\n$/,
      ),
    });
    expect((await store.get(name))?.spec.templates.body).toBe('Sale at 10, {{name}}');
  });

  it('deletes a campaign once it has ended, and not before', async () => {
    const name = 'black-friday';
    expect(await herald('campaigns', 'delete', name)).toEqual({
      code: 1,
      output: `herald: campaign ${name} is scheduled, not ended; cancel it first: herald cancel ${name} --wait\n`,
    });
    expect(await herald('cancel', name)).toMatchObject({ code: 0 });
    expect(await herald('campaigns', 'delete', name)).toEqual({
      code: 0,
      output: expect.stringMatching(
        /^black-friday: deleted \(it ended cancelled at .* UTC\); the opt-out list is kept\n$/,
      ),
    });
    expect((await connection.keys(`${keys.prefix}:*`)).filter((key) => key.includes(name))).toEqual([]);
    expect(await herald('campaigns', 'delete', name)).toEqual({
      code: 2,
      output: `herald: no campaign named ${name}\n`,
    });
  });
});
