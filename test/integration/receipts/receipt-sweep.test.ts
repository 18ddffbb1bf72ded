import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import type { CampaignName } from '../../../src/domain/campaign.js';
import type { E164 } from '../../../src/domain/e164.js';
import { findFreePort } from '../../../src/local/free-port.js';
import type { FetchedReceiptEvent } from '../../../src/observe/send-events.js';
import { SendEvents } from '../../../src/observe/send-events.js';
import { type Keys, makeKeys } from '../../../src/store/keys.js';
import { Ledger } from '../../../src/store/ledger.js';
import { parseRecipientState } from '../../../src/store/ledger-state.js';
import { connectRedis } from '../../../src/redis/redis-connection.js';
import { AwaitingReceipts } from '../../../src/receipts/awaiting-receipts.js';
import { ReceiptStore } from '../../../src/receipts/receipt-store.js';
import { GIVE_UP_AFTER_MS, type SweepDeps, sweepReceipts } from '../../../src/receipts/receipt-sweep.js';
import { type Sandbox, startSandbox } from '../../../src/sandbox/index.js';
import { createTwilioClient, type TwilioClient } from '../../../src/send/twilio-client.js';
import { deleteKeys, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, testRedisUrl, uniquePrefix } from '../../helpers/stack.js';

const campaign = 'sweep-1' as CampaignName;
const numberOf = (n: number) => `+1415555${String(8000 + n)}` as E164;
const FETCH_AFTER_MS = 60_000;

describe('receipt sweep against the sandbox, with every callback lost', () => {
  let connection: Redis;
  let keys: Keys;
  let sandbox: Sandbox;
  let client: TwilioClient;
  let awaiting: AwaitingReceipts;
  let receipts: ReceiptStore;
  let deps: SweepDeps;
  const events = new SendEvents();
  const fetched: FetchedReceiptEvent[] = [];
  events.on('receipt:fetched', (event) => fetched.push(event));
  let deadUrl: string;

  /** Sends one message through the sandbox with a StatusCallback nobody answers, and records it sent. */
  const send = async (n: number, channel: 'sms' | 'whatsapp' = 'sms') => {
    const to = numberOf(n);
    const message = await client.messages.create({
      to: channel === 'whatsapp' ? `whatsapp:${to}` : to,
      from: channel === 'whatsapp' ? 'whatsapp:+14155238886' : '+14155550100',
      body: 'hi',
      statusCallback: deadUrl,
    });
    const ledger = new Ledger(connection, keys);
    await ledger.claim(campaign, [{ to, senderId: 'p1', channel }]);
    await ledger.settle(campaign, to, channel, { state: 'sent', sid: message.sid });
    return { to, sid: message.sid };
  };

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('sweep'));
    sandbox = await startSandbox({
      accountSid: TEST_ACCOUNT_SID,
      authToken: TEST_AUTH_TOKEN,
      callbacks: {
        sentDelayMs: { min: 1, max: 5 },
        deliveredDelayMs: { min: 5, max: 20 },
        undeliveredShare: 0.5,
        seed: 3,
      },
    });
    // A port where nothing listens: every callback fails, as when the webhook answered 503 throughout.
    deadUrl = `http://127.0.0.1:${await findFreePort()}/twilio/campaigns/${campaign}/status`;
    client = createTwilioClient({
      accountSid: TEST_ACCOUNT_SID,
      authToken: TEST_AUTH_TOKEN,
      baseUrl: sandbox.url,
      timeoutMs: 5000,
      maxSockets: 10,
    });
    awaiting = new AwaitingReceipts(connection, keys);
    receipts = new ReceiptStore(connection, keys);
    deps = {
      awaiting,
      receipts,
      sentSid: async (name, to) => {
        const value = await connection.hget(keys.recipients(name), to);
        const state = value === null ? undefined : parseRecipientState(value);
        return state?.state === 'sent' ? state.sid : undefined;
      },
      fetchMessage: async (sid) => {
        const message = await client.messages(sid).fetch();
        return {
          status: message.status,
          to: message.to,
          errorCode: message.errorCode,
          dateCreated: message.dateCreated,
        };
      },
      events,
      fetchAfterMs: FETCH_AFTER_MS,
    };
  });

  afterAll(async () => {
    await sandbox.close();
    await deleteKeys(connection, keys.prefix);
    await connection.quit();
  });

  it('records the final status of every sent message whose callbacks never came, as a callback would', async () => {
    const sent = await Promise.all(Array.from({ length: 20 }, (_, i) => send(i + 1, i % 5 === 0 ? 'whatsapp' : 'sms')));
    for (const { to } of sent) await awaiting.await({ campaign, to }, Date.now() + FETCH_AFTER_MS);
    await sandbox.callbacksSettled();
    const lost = sandbox.callbacks();
    expect(lost.length).toBeGreaterThanOrEqual(40);
    expect(lost.filter((record) => record.status !== null)).toEqual([]);

    // Not due yet: nothing is fetched.
    expect(await sweepReceipts(deps)).toBe(0);
    const later = () => Date.now() + FETCH_AFTER_MS + 1;
    expect(await sweepReceipts({ ...deps, now: later })).toBe(20);

    const finals = new Map(lost.map((record) => [record.messageSid, record.params]));
    let undelivered = 0;
    for (const { to, sid } of sent) {
      const last = lost.filter((record) => record.messageSid === sid).at(-1)!.params;
      expect(['delivered', 'undelivered']).toContain(last['MessageStatus']);
      if (last['MessageStatus'] === 'undelivered') undelivered += 1;
      expect(await receipts.get(campaign, to)).toEqual({
        status: last['MessageStatus'],
        code: last['ErrorCode'] ?? 'none',
        sid,
      });
    }
    expect(finals.size).toBe(20);
    expect(undelivered).toBeGreaterThan(0);
    expect(await connection.hgetall(keys.counts(campaign))).toMatchObject({
      delivered: String(20 - undelivered),
      undelivered: String(undelivered),
    });
    expect(fetched.map((event) => event.result)).toEqual(Array(20).fill('recorded'));
    expect(await awaiting.size()).toBe(0);
    // Nothing left to do: another sweep fetches nothing (each fetch is an event).
    expect(await sweepReceipts({ ...deps, now: later })).toBe(0);
    expect(fetched).toHaveLength(20);
  });

  it('asks again later about a message still in flight, and records it as it stands after days', async () => {
    fetched.length = 0;
    // A sandbox that never moves its messages on: they stay queued, as with a carrier that never confirms.
    const still = await startSandbox({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
    try {
      const stillClient = createTwilioClient({
        accountSid: TEST_ACCOUNT_SID,
        authToken: TEST_AUTH_TOKEN,
        baseUrl: still.url,
        timeoutMs: 5000,
        maxSockets: 2,
      });
      const to = numberOf(30);
      const message = await stillClient.messages.create({ to, from: '+14155550100', body: 'hi' });
      const ledger = new Ledger(connection, keys);
      await ledger.claim(campaign, [{ to, senderId: 'p1', channel: 'sms' }]);
      await ledger.settle(campaign, to, 'sms', { state: 'sent', sid: message.sid });
      await awaiting.await({ campaign, to }, 0);
      const stillDeps: SweepDeps = {
        ...deps,
        fetchMessage: async (sid) => {
          const found = await stillClient.messages(sid).fetch();
          return { status: found.status, to: found.to, errorCode: found.errorCode, dateCreated: found.dateCreated };
        },
      };

      const now = Date.now();
      expect(await sweepReceipts({ ...stillDeps, now: () => now })).toBe(1);
      expect(fetched).toEqual([{ campaign, sid: message.sid, result: 'not-final', status: 'queued' }]);
      expect(Number(await connection.zscore(keys.awaitingReceipts, `${campaign} ${to}`))).toBe(now + FETCH_AFTER_MS);
      expect(await receipts.get(campaign, to)).toBeUndefined();
      // Not due again until then.
      expect(await sweepReceipts({ ...stillDeps, now: () => now + 1 })).toBe(0);

      // Days later Twilio still has it queued: that is recorded, and herald stops asking.
      expect(await sweepReceipts({ ...stillDeps, now: () => now + GIVE_UP_AFTER_MS + 1 })).toBe(1);
      expect(await receipts.get(campaign, to)).toEqual({ status: 'queued', code: 'none', sid: message.sid });
      expect(await awaiting.size()).toBe(0);
    } finally {
      await still.close();
    }
  });

  it('stops waiting for a message Twilio does not know, or a recipient the ledger no longer says was sent', async () => {
    fetched.length = 0;
    const ledger = new Ledger(connection, keys);
    const unknownSid = `SM${'0'.repeat(32)}`;
    await ledger.claim(campaign, [{ to: numberOf(40), senderId: 'p1', channel: 'sms' }]);
    await ledger.settle(campaign, numberOf(40), 'sms', { state: 'sent', sid: unknownSid });
    await ledger.claim(campaign, [{ to: numberOf(41), senderId: 'p1', channel: 'sms' }]);
    await ledger.settle(campaign, numberOf(41), 'sms', { state: 'failed', code: '21610' });
    await awaiting.await({ campaign, to: numberOf(40) }, 0);
    await awaiting.await({ campaign, to: numberOf(41) }, 0);
    expect(await sweepReceipts(deps)).toBe(2);
    // One fetch (the unknown SID); none for the failed recipient.
    expect(fetched).toEqual([{ campaign, sid: unknownSid, result: 'gone' }]);
    expect(await awaiting.size()).toBe(0);
  });
});
