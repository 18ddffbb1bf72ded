import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import type { Redis } from 'ioredis';

import type { CampaignName } from '../../src/domain/campaign.js';
import { findFreePort } from '../../src/local/free-port.js';
import { readCampaignSeries } from '../../src/observe/count-fields.js';
import { type CampaignCounts, CampaignStore } from '../../src/queue/campaign-store.js';
import { type Keys, makeKeys } from '../../src/store/keys.js';
import { connectRedis } from '../../src/redis/redis-connection.js';
import { statusStep } from '../../src/receipts/status-order.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { HERALD_BIN, spawnNode, startWorkerProcess, type WorkerProcess } from '../helpers/processes.js';
import {
  deleteKeys,
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  testRedisUrl,
  uniquePrefix,
  waitForFinished,
} from '../helpers/stack.js';

const dir = mkdtempSync(join(tmpdir(), 'herald-operating-'));
const campaign = 'ops' as CampaignName;
/** Twilio's magic numbers the sandbox refuses for good: opted out, not mobile, invalid. */
const REFUSED = { '+15005550004': '21610', '+15005550009': '21614', '+15005550001': '21211' } as const;
const numbers = Array.from({ length: 60 }, (_, i) => `+1415555${(6000 + i).toString()}`);

type ReportRow = Record<string, string>;

/** The last outcome the sandbox gave each number: the SID it created, or the error code it answered. */
function lastAnswers(sandbox: Sandbox, from = 0): Map<string, { sid?: string; errorCode?: number; fault?: string }> {
  const answers = new Map<string, { sid?: string; errorCode?: number; fault?: string }>();
  for (const request of sandbox.requests().slice(from)) {
    const to = String(request.params['To']);
    answers.set(to, {
      ...(request.sid === undefined ? {} : { sid: request.sid }),
      ...(request.errorCode === undefined ? {} : { errorCode: request.errorCode }),
      ...(request.fault === undefined ? {} : { fault: request.fault }),
    });
  }
  return answers;
}

/** The furthest status the sandbox reported for each message, with its error code. */
function finalReceipts(sandbox: Sandbox): Map<string, { status: string; code: string }> {
  const final = new Map<string, { status: string; code: string }>();
  for (const { messageSid, params } of sandbox.callbacks()) {
    const status = params['MessageStatus'] ?? '';
    const known = final.get(messageSid);
    if (known === undefined || statusStep(status)!.rank > statusStep(known.status)!.rank) {
      final.set(messageSid, { status, code: params['ErrorCode'] ?? '' });
    }
  }
  return final;
}

describe('operating a campaign: report, resend-failed, status', () => {
  let connection: Redis;
  let keys: Keys;
  let store: CampaignStore;
  let sandbox: Sandbox;
  let worker: WorkerProcess;
  let env: Record<string, string>;

  const herald = async (args: string[], extra: Record<string, string> = {}) => {
    const run = spawnNode([HERALD_BIN, ...args], { ...env, ...extra });
    const { code } = await run.exited;
    return { code, output: run.output() };
  };
  const report = async (): Promise<ReportRow[]> => {
    const out = join(dir, `report-${Date.now()}.csv`);
    const result = await herald(['report', campaign, '--out', out]);
    expect(result).toEqual({ code: 0, output: expect.stringMatching(/^\d+ recipients → /) });
    return parse(readFileSync(out, 'utf8'), { columns: true }) as ReportRow[];
  };

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('operating'));
    store = new CampaignStore(connection, keys);
    sandbox = await startSandbox({
      accountSid: TEST_ACCOUNT_SID,
      authToken: TEST_AUTH_TOKEN,
      callbacks: {
        sentDelayMs: { min: 5, max: 30 },
        deliveredDelayMs: { min: 10, max: 60 },
        undeliveredShare: 0.4,
        undeliveredCodes: { 30003: 1, 30006: 1 },
        seed: 11,
      },
    });
    // A 503 on the only attempt fails the recipient with 20503, which resend-failed may cure.
    sandbox.setFaults({ rate503: 0.25, seed: 5 });
    const webhookPort = await findFreePort();
    env = { REDIS_URL: testRedisUrl(), HERALD_PREFIX: keys.prefix };
    worker = await startWorkerProcess({
      ...env,
      TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      HERALD_TWILIO_BASE_URL: sandbox.url,
      HERALD_ATTEMPTS: '1',
      HERALD_PUBLIC_URL: `http://127.0.0.1:${webhookPort}`,
      HERALD_WEBHOOK_PORT: String(webhookPort),
      HERALD_WEBHOOK_HOST: '127.0.0.1',
    });
  });

  afterAll(async () => {
    await worker.stop();
    await sandbox.close();
    await deleteKeys(connection, keys.prefix);
    await connection.quit();
  });

  it('reports every recipient as the sandbox recorded it', async () => {
    const rows = [...numbers.map((n, i) => `${n},N${i}`), ...Object.keys(REFUSED).map((n) => `${n},M`), 'nope,X'];
    const file = join(dir, 'ops.csv');
    writeFileSync(file, `phone,name\n${rows.join('\n')}\n`);
    const sent = await herald([
      'send',
      file,
      '--campaign',
      campaign,
      '--from',
      '+14155550100',
      '--from',
      '+14155550101',
      '--mps',
      '200',
      '--body',
      'Hi {{name}}',
      // Not about the compliance rules: it must send at any hour.
      '--transactional',
      '--rejected',
      join(dir, 'ops.rejected.csv'),
    ]);
    expect(sent.code).toBe(0);
    await waitForFinished(store, campaign);
    await sandbox.callbacksSettled();

    const answers = lastAnswers(sandbox);
    const receipts = finalReceipts(sandbox);
    const reported = await report();
    // Everyone queued, once; the row refused at ingest is in the rejected file, not the campaign.
    expect(reported.map((row) => row.number).sort()).toEqual([...numbers, ...Object.keys(REFUSED)].sort());
    for (const row of reported) {
      const answer = answers.get(row.number!)!;
      const line = rows.findIndex((text) => text.startsWith(`${row.number},`)) + 2;
      expect({ number: row.number, line: row.line }).toEqual({ number: row.number, line: String(line) });
      expect(row.sender).toMatch(/^p1415555010[01]$/);
      expect(row.attempts).toBe('1');
      expect(Date.parse(row.queued_at!)).toBeLessThanOrEqual(Date.parse(row.settled_at!));
      if (answer.sid !== undefined) {
        const receipt = receipts.get(answer.sid)!;
        expect(row).toMatchObject({ status: 'sent', sid: answer.sid, error_code: '', receipt_status: receipt.status });
        expect(row.receipt_error_code).toBe(receipt.code);
        expect(row.resendable).toBe(receipt.code === '30003' ? 'yes' : 'no');
      } else {
        expect(row).toMatchObject({ status: 'failed', sid: '', error_code: String(answer.errorCode) });
        expect(row.resendable).toBe(answer.fault === '503' ? 'yes' : 'no');
      }
    }
    // A magic number whose request drew the injected 503 never reached the check that refuses it.
    for (const [to, code] of Object.entries(REFUSED)) {
      const expected = answers.get(to)?.fault === '503' ? '20503' : code;
      expect(reported.find((row) => row.number === to)).toMatchObject({ status: 'failed', error_code: expected });
    }
    // The injected faults and the receipts did happen, so the cases above were all exercised.
    expect(reported.filter((row) => row.error_code === '20503').length).toBeGreaterThan(0);
    expect(reported.filter((row) => row.receipt_error_code === '30003').length).toBeGreaterThan(0);
    expect(reported.filter((row) => row.receipt_error_code === '30006').length).toBeGreaterThan(0);

    // With the file, one row per row of it, in its order, with its own columns; the bad row says why.
    const joinedOut = join(dir, 'joined.csv');
    expect(await herald(['report', campaign, '--file', file, '--out', joinedOut])).toEqual({
      code: 0,
      output: `${rows.length} rows of ${file} → ${joinedOut} (a transactional campaign: no quiet hours, no frequency cap)\n`,
    });
    const joined = parse(readFileSync(joinedOut, 'utf8'), { columns: true }) as ReportRow[];
    expect(joined.map((row) => row.line)).toEqual(rows.map((_, index) => String(index + 2)));
    expect(joined.map((row) => row.name)).toEqual(rows.map((text) => text.split(',')[1]));
    expect(joined.at(-1)).toMatchObject({
      number: 'nope',
      status: 'rejected',
      error_reason: 'invalid number: nope (not a number)',
    });
    for (const row of joined.slice(0, -1)) {
      const { name: _name, phone: _phone, ...reportColumns } = row;
      expect(reportColumns).toEqual(reported.find((other) => other.number === row.number));
    }

    const status = await herald(['status', campaign, '--json']);
    expect(status.code).toBe(0);
    const view = JSON.parse(status.output) as Record<string, unknown>;
    const counts = await store.counts(campaign);
    expect(view).toMatchObject({
      state: 'finished',
      queued: counts['queued'],
      sent: counts['sent'],
      failed: counts['failed'],
      unknown: 0,
      rejected: 1,
      pending: 0,
      limitPerSecond: 400,
      counts: { delivered: counts['delivered'], undelivered: counts['undelivered'] },
    });
    expect(counts['sent']).toBe(reported.filter((row) => row.status === 'sent').length);

    // Outside a terminal --watch prints plain lines, and stops once the campaign is finished; the cost so far
    // (every recipient here is in the US: segments sent × the example table's 0.0083) comes under the headline.
    const watched = await herald(['status', campaign, '--watch']);
    const cost = (0.0083 * (counts['sent'] ?? 0)).toFixed(4);
    expect(watched).toEqual({
      code: 0,
      output: expect.stringMatching(
        new RegExp(
          '^ops: finished — queued 63, sent \\d+, delivered \\d+, .* \\| .* ETA 0 s\\n' +
            `  cost      USD ${cost.replace('.', '\\.')} so far \\(estimated from: EXAMPLE table[^\\n]*\\n$`,
        ),
      ),
    });
    expect(view).toMatchObject({ cost: { currency: 'USD', unpricedUnits: 0 }, workers: { alive: 1 } });
    expect(watched.output).not.toMatch(/\u001b/);
    expect(await herald(['report', campaign, '--out', join(dir, 'no-such-dir', 'r.csv')])).toEqual({
      code: 1,
      output: `herald: cannot write ${join(dir, 'no-such-dir', 'r.csv')}: ENOENT\n`,
    });
    // A write that fails midway (Linux's /dev/full: no space left) still ends in one line, nothing else.
    expect(await herald(['report', campaign, '--out', '/dev/full'])).toEqual({
      code: 1,
      output: 'herald: cannot write /dev/full: ENOSPC\n',
    });
  });

  it('resends exactly the curable failures, once each, and counts them exactly', async () => {
    const before = await report();
    const answers = lastAnswers(sandbox);
    const receipts = finalReceipts(sandbox);
    // Worked out from the sandbox's own record: 503s (not processed) and unreachable handsets (30003).
    const curable = new Set(
      [...answers]
        .filter(([, answer]) =>
          answer.sid === undefined ? answer.fault === '503' : receipts.get(answer.sid)?.code === '30003',
        )
        .map(([to]) => to),
    );
    expect(curable.size).toBeGreaterThan(2);
    const countsBefore = await store.counts(campaign);

    sandbox.setFaults({});
    const from = sandbox.requests().length;
    const dry = await herald(['resend-failed', campaign, '--dry-run']);
    expect(dry).toEqual({ code: 0, output: expect.stringContaining(`would resend ${curable.size} recipients`) });
    expect(sandbox.requests().length).toBe(from);
    expect(await store.counts(campaign)).toEqual(countsBefore);

    const resent = await herald(['resend-failed', campaign]);
    expect(resent).toEqual({ code: 0, output: expect.stringContaining(`resent ${curable.size} recipients`) });
    await waitForFinished(store, campaign);

    const again = sandbox.requests().slice(from);
    expect(again.map((request) => String(request.params['To'])).sort()).toEqual([...curable].sort());
    for (const request of again) {
      const to = String(request.params['To']) as keyof typeof REFUSED;
      expect({ to, errorCode: request.errorCode }).toEqual({ to, errorCode: REFUSED[to] && Number(REFUSED[to]) });
    }

    // Over the whole campaign nobody got two messages accepted, except an unreachable handset, resent once.
    const accepted = new Map<string, number>();
    for (const request of sandbox.requests()) {
      if (request.status !== 201) continue;
      const to = String(request.params['To']);
      accepted.set(to, (accepted.get(to) ?? 0) + 1);
    }
    for (const [to, times] of accepted) {
      const undelivered = before.find((row) => row.number === to)?.receipt_error_code === '30003';
      expect({ to, times }).toEqual({ to, times: undelivered ? 2 : 1 });
    }

    const counts = await store.counts(campaign);
    const refusedNow = again.filter((request) => request.status !== 201).length;
    const failedCured = before.filter((row) => row.status === 'failed' && curable.has(row.number!)).length - refusedNow;
    expect(counts['resent']).toBe(curable.size);
    expect(counts['failed']).toBe(countsBefore['failed']! - failedCured);
    expect(counts['sent']).toBe(countsBefore['sent']! + failedCured);
    expect(counts['queued']).toBe(countsBefore['queued']);
    expect(counts['sent']! + counts['failed']! + counts['unknown']!).toBe(counts['queued']);

    // What Prometheus reads as counters never goes down: each series only grows, by what the resend itself did.
    const exported = (values: CampaignCounts) => {
      const series = readCampaignSeries(values);
      const sum = (entries: readonly { value: number }[]) => entries.reduce((total, entry) => total + entry.value, 0);
      const each = new Map<string, number>();
      for (const [name, entries] of [
        ['sent', series.sent],
        ['failed', series.failed],
        ['undelivered', series.undelivered],
      ] as const) {
        for (const entry of entries)
          each.set(`${name}:${entry.channel}:${'code' in entry ? entry.code : ''}`, entry.value);
      }
      return { sent: sum(series.sent), failed: sum(series.failed), each };
    };
    const exportedBefore = exported(countsBefore);
    const exportedAfter = exported(counts);
    expect(exportedAfter.sent).toBe(exportedBefore.sent + again.length - refusedNow);
    expect(exportedAfter.failed).toBe(exportedBefore.failed + refusedNow);
    // Receipts for the resent messages may still be on their way, so undelivered is only held to never going down.
    const lowered = [...exportedBefore.each].filter(([key, value]) => (exportedAfter.each.get(key) ?? 0) < value);
    expect(lowered).toEqual([]);
    const after = await report();
    for (const to of curable) {
      const code = REFUSED[to as keyof typeof REFUSED];
      expect(after.find((row) => row.number === to)).toMatchObject(
        code === undefined ? { status: 'sent' } : { status: 'failed', error_code: code, resendable: 'no' },
      );
    }
  });

  it('says nobody sends once the last worker has stopped, in send and in status', async () => {
    await worker.stop();
    const file = join(dir, 'after.csv');
    writeFileSync(file, 'phone,name\n+14155556999,Z\n');
    const sent = await herald(['send', file, '--campaign', 'after', '--from', '+14155550100', '--body', 'Hi {{name}}']);
    expect(sent.output).toMatch(
      /\n {2}not sending: no worker has been seen for [\d.]+ s: start one \(herald worker\) to send it; then herald status after\n$/,
    );
    const status = await herald(['status', 'after']);
    expect(status.output).toMatch(/^after: not sending: no worker has been seen for [\d.]+ s — queued 1, sent 0, /);
    expect(status.output).toMatch(
      /\n {2}workers {3}none alive: no worker has been seen for [\d.]+ s; start one: herald worker\n/,
    );
  });

  it('fails with one line on an unknown campaign or an unreachable Redis', async () => {
    // Each command's three cases one after another, the three commands side by side.
    const failures = ['report', 'resend-failed', 'status'].map(async (command) => {
      expect(await herald([command, 'no-such-campaign'])).toEqual({
        code: 2,
        output: 'herald: no campaign named no-such-campaign\n',
      });
      expect(await herald([command, campaign], { REDIS_URL: 'redis://127.0.0.1:1' })).toEqual({
        code: 1,
        output: expect.stringMatching(/^herald: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: [^\n]*\n$/),
      });
      expect(await herald([command, 'bad name'])).toMatchObject({ code: 2 });
    });
    await Promise.all(failures);
    expect(await herald(['status', campaign, '--watch', '--interval', '0'])).toEqual({
      code: 2,
      output: 'herald: --interval must be a number of seconds above 0\n',
    });
  });
});
