import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import type { CampaignName } from '../../../src/domain/campaign.js';
import type { E164 } from '../../../src/domain/e164.js';
import { runIngest } from '../../../src/ingest/run-ingest.js';
import { connectRedis } from '../../../src/redis/redis-connection.js';
import { FREQUENCY_WINDOW_MS, FrequencyCap } from '../../../src/store/frequency-cap.js';
import { type Keys, makeKeys } from '../../../src/store/keys.js';
import { testSpec } from '../../helpers/campaign.js';
import {
  deleteKeys,
  type Stack,
  startStack,
  testRedisUrl,
  uniquePrefix,
  waitForFinished,
} from '../../helpers/stack.js';

const TO = '+14155550130' as E164;

describe('the frequency cap, counted in Redis', () => {
  let connection: Redis;
  let keys: Keys;

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('frequency'));
  });
  afterAll(async () => {
    await deleteKeys(connection, keys.prefix);
    await connection.quit();
  });

  it('lets exactly the cap through when many campaigns count one recipient at once, and says until when', async () => {
    const cap = new FrequencyCap(connection, keys, 3);
    const names = Array.from({ length: 10 }, (_, index) => `c${index}` as CampaignName);
    const answers = await Promise.all(names.map((name) => cap.count(TO, name)));
    expect(answers.filter((answer) => answer.kind === 'counted')).toHaveLength(3);
    const scores = (await connection.zrange(keys.frequency(TO), '0', '-1', 'WITHSCORES')).filter((_, i) => i % 2 === 1);
    const oldest = Math.min(...scores.map(Number));
    for (const answer of answers.filter((item) => item.kind === 'over'))
      expect(answer).toEqual({ kind: 'over', until: Math.ceil(oldest + FREQUENCY_WINDOW_MS) });
    // The key expires by itself, a day after its latest count.
    const ttl = await connection.pttl(keys.frequency(TO));
    expect(ttl).toBeGreaterThan(FREQUENCY_WINDOW_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(FREQUENCY_WINDOW_MS);
  });

  it('counts a campaign once however often it asks, and takes a count back', async () => {
    const to = '+14155550131' as E164;
    const cap = new FrequencyCap(connection, keys, 1);
    expect(await cap.count(to, 'a' as CampaignName)).toEqual({ kind: 'counted' });
    expect(await cap.count(to, 'a' as CampaignName)).toEqual({ kind: 'counted' });
    expect(await cap.count(to, 'b' as CampaignName)).toMatchObject({ kind: 'over' });
    await cap.giveBack(to, 'a' as CampaignName);
    expect(await cap.count(to, 'b' as CampaignName)).toEqual({ kind: 'counted' });
  });
});

describe('WhatsApp’s 24-hour session', () => {
  const WHATSAPP_SENDER = 'whatsapp:+14155238886';
  const CONTENT_SID = `HX${'ab'.repeat(16)}`;
  const WROTE = '+14155550140';
  const WROTE_LONG_AGO = '+14155550141';
  const NEVER_WROTE = '+14155550142';
  let stack: Stack;

  beforeAll(async () => {
    // The sandbox refuses free-form WhatsApp outside a session with 63016, as Twilio does.
    stack = await startStack('sessions', { recipients: { whatsappSessions: true } });
  });
  afterAll(async () => stack.close());

  it('sends the free-form message inside a session and the template outside it', async () => {
    // One recipient wrote just now (the webhook records it, and the sandbox opens its session); one a day and more ago.
    await stack.sandbox.reply({ from: `whatsapp:${WROTE}`, to: WHATSAPP_SENDER, body: 'hi' });
    const [seconds] = await stack.connection.time();
    const now = Number(seconds) * 1000;
    await stack.connection.hset(
      stack.keys.whatsappSessions,
      WROTE,
      String(now),
      WROTE_LONG_AGO,
      String(now - 25 * 3_600_000),
    );
    const spec = testSpec({
      campaign: 'sessions',
      from: [WHATSAPP_SENDER],
      channel: 'whatsapp',
      body: 'Your order {{code}} shipped',
      contentSid: CONTENT_SID,
      contentVariables: '{"1":"{{code}}"}',
    });
    const file = join(mkdtempSync(join(tmpdir(), 'herald-sessions-')), 'r.csv');
    writeFileSync(file, ['phone,code', `${WROTE},A1`, `${WROTE_LONG_AGO},B2`, `${NEVER_WROTE},C3`].join('\n'));
    await runIngest(stack, { file, spec, rejectedPath: join(tmpdir(), 'sessions.rej.csv'), chunkSize: 10 });
    await waitForFinished(stack.store, spec.name);

    const sent = new Map(stack.sandbox.requests().map((request) => [request.params['To'], request]));
    expect(sent.get(`whatsapp:${WROTE}`)).toMatchObject({
      status: 201,
      params: { Body: 'Your order A1 shipped' },
    });
    expect(sent.get(`whatsapp:${WROTE}`)?.params['ContentSid']).toBeUndefined();
    for (const to of [WROTE_LONG_AGO, NEVER_WROTE]) {
      expect(sent.get(`whatsapp:${to}`)).toMatchObject({ status: 201, params: { ContentSid: CONTENT_SID } });
      expect(sent.get(`whatsapp:${to}`)?.params['Body']).toBeUndefined();
    }
    expect(await stack.store.counts(spec.name)).toMatchObject({ sent: 3, failed: 0 });
  });
});
