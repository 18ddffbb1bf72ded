import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';

import type { CampaignName, CampaignSpec } from '../../../src/domain/campaign.js';
import type { E164 } from '../../../src/domain/e164.js';
import { runIngest } from '../../../src/ingest/run-ingest.js';
import { CampaignControl } from '../../../src/queue/campaign-control.js';
import { CampaignStore } from '../../../src/queue/campaign-store.js';
import { connectRedis } from '../../../src/redis/redis-connection.js';
import { readReportRows } from '../../../src/report/report-rows.js';
import type { ReportRow } from '../../../src/report/report-row.js';
import { CampaignGate } from '../../../src/send/campaign-gate.js';
import { transitionCampaign } from '../../../src/store/campaign-states.js';
import { type Keys, makeKeys, queueNameOf } from '../../../src/store/keys.js';
import { Ledger } from '../../../src/store/ledger.js';
import type { StoredSendJob } from '../../../src/store/send-job.js';
import { testSpec } from '../../helpers/campaign.js';
import { deleteKeys, testRedisUrl, uniquePrefix } from '../../helpers/stack.js';

const SMS_FROM = '+14155550100';
const WHATSAPP_FROM = 'whatsapp:+14155238886';

/** Rows on two channels (so two senders): line 2 onwards, SMS for the first half, WhatsApp for the rest. */
function recipientsCsv(count: number, first: number): { path: string; expected: Map<string, Partial<ReportRow>> } {
  const lines = ['phone,name,channel'];
  const expected = new Map<string, Partial<ReportRow>>();
  for (let index = 0; index < count; index++) {
    const to = `+1415555${first + index}`;
    const whatsapp = index >= count / 2;
    lines.push(`${to},N${index},${whatsapp ? 'whatsapp' : 'sms'}`);
    expected.set(to, {
      line: String(lines.length),
      channel: whatsapp ? 'whatsapp' : 'sms',
      sender: whatsapp ? 'w14155238886' : 'p14155550100',
    });
  }
  const path = join(mkdtempSync(join(tmpdir(), 'herald-report-')), 'r.csv');
  writeFileSync(path, lines.join('\n'));
  return { path, expected };
}

/** The report's rows by number. */
async function reportOf(connection: Redis, keys: Keys, store: CampaignStore, name: CampaignName) {
  const record = await store.get(name);
  if (record === undefined) throw new Error(`no campaign ${name}`);
  const rows = new Map<string, ReportRow>();
  for await (const row of readReportRows(connection, keys, record)) rows.set(row.number, row);
  return rows;
}

describe('report rows of recipients not yet settled', () => {
  let connection: Redis;
  let keys: Keys;
  let store: CampaignStore;
  let ledger: Ledger;
  const spec = (campaign: string) =>
    testSpec({ campaign, from: [SMS_FROM, WHATSAPP_FROM], body: 'Hi {{name}}', channel: 'sms' });
  const ingest = (campaign: CampaignSpec, file: string, startAt?: Date) =>
    runIngest(
      { connection, keys, store, ledger },
      {
        file,
        spec: campaign,
        rejectedPath: join(tmpdir(), `${campaign.name}.rejected.csv`),
        chunkSize: 50,
        ...(startAt === undefined ? {} : { startAt }),
      },
    );

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('report-rows'));
    store = new CampaignStore(connection, keys);
    ledger = new Ledger(connection, keys);
  });

  afterAll(async () => {
    await deleteKeys(connection, keys.prefix);
    await connection.quit();
  });

  it('carry the line, channel and sender of queued and delayed recipients, from their jobs', async () => {
    const waiting = spec('waiting');
    const now = recipientsCsv(6, 1000);
    await ingest(waiting, now.path);
    const later = spec('later');
    // A scheduled start, like a closed sending window, keeps the jobs in BullMQ's delayed set.
    const delayed = recipientsCsv(6, 2000);
    await ingest(later, delayed.path, new Date(Date.now() + 3_600_000));

    for (const [campaign, { expected }] of [
      [waiting, now],
      [later, delayed],
    ] as const) {
      const rows = await reportOf(connection, keys, store, campaign.name);
      expect(rows.size).toBe(expected.size);
      for (const [to, row] of expected) {
        expect(rows.get(to)).toMatchObject({ ...row, status: 'queued', attempts: '0' });
        expect(rows.get(to)?.queued_at).toMatch(/^\d{4}-\d\d-\d\dT/);
      }
    }
  });

  it('carry them for a recipient in flight, whose state does not name its sender', async () => {
    const campaign = spec('flying');
    const { path, expected } = recipientsCsv(4, 3000);
    await ingest(campaign, path);
    const to = [...expected.keys()].at(-1) as E164;
    expect(await ledger.begin(campaign.name, to, `${to}/1`)).toEqual({ kind: 'go' });

    const row = (await reportOf(connection, keys, store, campaign.name)).get(to);
    expect(row).toMatchObject({ ...expected.get(to), status: 'in-flight' });
  });

  it('carry them for cancelled recipients: those the cancel swept and one a worker held', async () => {
    const campaign = spec('stopped');
    const { path, expected } = recipientsCsv(8, 4000);
    await ingest(campaign, path);
    // A worker holds one job when the campaign is cancelled: the gate, not the cancel's sweep, cancels that one.
    const held = [...expected.keys()][0] as E164;
    const workerConnection = await connectRedis(testRedisUrl(), { role: 'worker' });
    const worker = new Worker<StoredSendJob>(queueNameOf(campaign.name, 'p14155550100'), null, {
      connection: workerConnection,
      prefix: keys.prefix,
    });
    try {
      const job = await worker.getNextJob('held-token');
      expect(job?.id).toBe(held);
      await transitionCampaign(connection, keys, campaign.name, 'cancel');
      // As the send's gate-and-begin step does: the gate cancels it, and what the report shows of it is kept.
      const gate = new CampaignGate(connection, keys);
      const answer = await gate.checkAndBegin(campaign.name, held, `${job!.id}/${job!.attemptsStarted}`);
      await gate.keepCancelled(campaign.name, held, {
        line: job!.data.l,
        senderId: 'p14155550100',
        channel: 'sms',
        attempts: job!.attemptsStarted,
        queuedAt: job!.timestamp,
        settledAt: Date.now(),
        vars: { name: 'N0' },
      });
      expect(answer).toEqual({ kind: 'cancelled', closed: false });
      const result = await new CampaignControl(connection, keys, store).cancel(campaign.name);
      expect(result).toMatchObject({ state: 'cancelled', cancelled: expected.size - 1 });
    } finally {
      await worker.close();
      await workerConnection.quit();
    }

    const rows = await reportOf(connection, keys, store, campaign.name);
    for (const [to, row] of expected) {
      expect(rows.get(to)).toMatchObject({
        ...row,
        status: 'cancelled',
        error_reason: 'the campaign was cancelled before this recipient was sent',
      });
    }
    expect(await store.counts(campaign.name)).toMatchObject({ queued: 8, cancelled: 8 });
  });
});
