import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import twilio from 'twilio';

import { buildCampaignSpec } from '../../src/cli/campaign-options.js';
import { runIngest } from '../../src/ingest/run-ingest.js';
import { findFreePort } from '../../src/local/free-port.js';
import { CampaignStore } from '../../src/queue/campaign-store.js';
import type { E164 } from '../../src/domain/e164.js';
import { OptOutList } from '../../src/compliance/opt-out-list.js';
import { type Keys, makeKeys } from '../../src/store/keys.js';
import { Ledger } from '../../src/store/ledger.js';
import { readLedger } from '../../src/store/read-ledger.js';
import { connectRedis } from '../../src/redis/redis-connection.js';
import { statusStep } from '../../src/receipts/status-order.js';
import { ReceiptStore } from '../../src/receipts/receipt-store.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { readCounter, startWorkerProcess, type WorkerProcess } from '../helpers/processes.js';
import {
  deleteKeys,
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  testRedisUrl,
  uniquePrefix,
  waitForFinished,
} from '../helpers/stack.js';

describe('delivery receipts from the sandbox', () => {
  let connection: Redis;
  let keys: Keys;
  let sandbox: Sandbox;
  let worker: WorkerProcess | undefined;
  let webhookPort: number;

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('receipts-e2e'));
    // Twilio's ways with callbacks, all at once: undelivered codes, WhatsApp reads, repeats and finals first.
    sandbox = await startSandbox({
      accountSid: TEST_ACCOUNT_SID,
      authToken: TEST_AUTH_TOKEN,
      callbacks: {
        sentDelayMs: { min: 5, max: 50 },
        deliveredDelayMs: { min: 20, max: 200 },
        undeliveredShare: 0.3,
        readShare: 0.5,
        duplicateShare: 0.3,
        outOfOrderShare: 0.3,
        seed: 7,
      },
    });
  });

  afterAll(async () => {
    if (worker !== undefined && worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await worker?.exited;
    await sandbox.close();
    await deleteKeys(connection, keys.prefix);
    await connection.quit();
  });

  it('records the final status and code of every recipient, and counts each once', async () => {
    webhookPort = await findFreePort();
    worker = await startWorkerProcess({
      REDIS_URL: testRedisUrl(),
      HERALD_PREFIX: keys.prefix,
      TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      HERALD_TWILIO_BASE_URL: sandbox.url,
      HERALD_PUBLIC_URL: `http://127.0.0.1:${webhookPort}`,
      HERALD_WEBHOOK_PORT: String(webhookPort),
      HERALD_WEBHOOK_HOST: '127.0.0.1',
      HERALD_HELP_REPLY: 'Acme: reply STOP to stop',
    });
    const built = buildCampaignSpec(
      {
        campaign: 'dlr',
        from: ['+14155550100', 'whatsapp:+14155238886'],
        body: 'Hi {{name}}',
        media: [],
        toColumn: 'phone',
        // Not about the compliance rules: sent at any hour.
        transactional: true,
      },
      new Date(),
    );
    if (!built.ok) throw new Error(built.reason);
    const spec = { ...built.spec, senders: built.spec.senders.map((entry) => ({ ...entry, mps: 100 })) };
    const file = join(mkdtempSync(join(tmpdir(), 'herald-dlr-')), 'recipients.csv');
    const rows = Array.from({ length: 40 }, (_, i) => `+1415555${5000 + i},N${i},${i % 4 === 0 ? 'whatsapp' : 'sms'}`);
    writeFileSync(file, `phone,name,channel\n${rows.join('\n')}\n`);
    const store = new CampaignStore(connection, keys);
    await runIngest(
      { connection, keys, store, ledger: new Ledger(connection, keys) },
      { file, spec, rejectedPath: join(tmpdir(), 'dlr.rejected.csv'), chunkSize: 20 },
    );
    await waitForFinished(store, spec.name);
    await sandbox.callbacksSettled();

    // What Twilio (the sandbox) said about each message, furthest status first.
    const records = sandbox.callbacks();
    expect(records.length).toBeGreaterThan(80);
    expect(records.filter((record) => record.status !== 204)).toEqual([]);
    const final = new Map<string, { status: string; code: string }>();
    for (const { messageSid, params } of records) {
      const status = params['MessageStatus'] ?? '';
      const known = final.get(messageSid);
      if (known === undefined || statusStep(status)!.rank > statusStep(known.status)!.rank) {
        final.set(messageSid, { status, code: params['ErrorCode'] ?? 'none' });
      }
    }

    const receipts = new ReceiptStore(connection, keys);
    const expected = { delivered: 0, read: 0, undelivered: new Map<string, number>() };
    for await (const entry of readLedger(connection, keys, spec.name)) {
      expect(entry.state).toBe('sent');
      if (entry.state !== 'sent') continue;
      const said = final.get(entry.sid);
      expect(said).toBeDefined();
      expect(await receipts.get(spec.name, entry.to)).toEqual({ ...said, sid: entry.sid });
      if (said!.status === 'delivered' || said!.status === 'read') expected.delivered += 1;
      if (said!.status === 'read') expected.read += 1;
      if (said!.status === 'undelivered')
        expected.undelivered.set(said!.code, (expected.undelivered.get(said!.code) ?? 0) + 1);
    }
    expect(expected.read).toBeGreaterThan(0);
    expect(expected.undelivered.size).toBeGreaterThan(0);

    const counts = await store.counts(spec.name);
    expect(counts['delivered']).toBe(expected.delivered);
    expect(counts['read:whatsapp']).toBe(expected.read);
    const undelivered = [...expected.undelivered.values()].reduce((sum, n) => sum + n, 0);
    expect(counts['undelivered']).toBe(undelivered);
    expect((counts['delivered'] ?? 0) + undelivered).toBe(40);
    for (const [code, n] of expected.undelivered) {
      expect((counts[`undelivered:sms:${code}`] ?? 0) + (counts[`undelivered:whatsapp:${code}`] ?? 0)).toBe(n);
    }

    // The one worker exports what Redis holds; every callback it answered was recorded or found stale.
    expect(await readCounter(worker.metricsPort, 'herald_messages_delivered_total')).toBe(expected.delivered);
    expect(await readCounter(worker.metricsPort, 'herald_messages_undelivered_total')).toBe(undelivered);
    const answered = await readCounter(worker.metricsPort, 'herald_status_callbacks_total');
    const recordedOrStale =
      (await readCounter(worker.metricsPort, 'herald_status_callbacks_total', { result: 'recorded' })) +
      (await readCounter(worker.metricsPort, 'herald_status_callbacks_total', { result: 'stale' }));
    expect({ answered, recordedOrStale }).toEqual({ answered: records.length, recordedOrStale: records.length });
  });

  it('serves the replies webhook beside the callbacks: STOP records an opt-out, START lifts it, HELP is answered', async () => {
    expect(worker).toBeDefined();
    // A second sandbox plays the recipients, posting signed replies to the worker as Twilio would.
    const recipients = await startSandbox({
      accountSid: TEST_ACCOUNT_SID,
      authToken: TEST_AUTH_TOKEN,
      recipients: { replyUrl: `http://127.0.0.1:${webhookPort}/twilio/replies` },
    });
    try {
      const optOuts = new OptOutList(connection, keys);
      const from = '+14155557001' as E164;
      expect(await recipients.reply({ from, to: '+14155550100', body: 'Stop.' })).toMatchObject({ status: 200 });
      expect(await optOuts.recordOf(from)).toMatchObject({ source: 'reply', text: 'Stop.', sender: '+14155550100' });
      expect(await recipients.reply({ from, to: '+14155550100', body: 'START' })).toMatchObject({ status: 200 });
      expect(await optOuts.has(from)).toBe(false);
      await recipients.reply({ from, to: '+14155550100', body: 'help' });
      // The answer to HELP is HERALD_HELP_REPLY, as TwiML.
      const url = `http://127.0.0.1:${webhookPort}/twilio/replies`;
      const form = { MessageSid: `SM${'7'.repeat(32)}`, From: from, To: '+14155550100', Body: 'INFO' };
      const answer = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, url, form),
        },
        body: new URLSearchParams(form).toString(),
      });
      expect(await answer.text()).toBe(
        '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Acme: reply STOP to stop</Message></Response>',
      );
      const counted = (intent: string) =>
        readCounter(worker!.metricsPort, 'herald_replies_total', { intent, result: 'recorded' });
      expect([await counted('opt-out'), await counted('opt-in'), await counted('help')]).toEqual([1, 1, 2]);
      // Nothing in the worker's log names the number that wrote or its words.
      expect(worker!.output()).not.toMatch(/4155557001|Stop\./);
      expect(worker!.output()).toMatch(/reply recorded: opt-out/);
    } finally {
      await recipients.close();
    }
  });
});
