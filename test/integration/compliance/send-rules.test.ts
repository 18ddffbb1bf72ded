import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue, Worker } from 'bullmq';

import type { CampaignSpec } from '../../../src/domain/campaign.js';
import type { E164 } from '../../../src/domain/e164.js';
import { senderId } from '../../../src/domain/sender.js';
import { runIngest } from '../../../src/ingest/run-ingest.js';
import { instantOfWallTime } from '../../../src/lib/zoned-time.js';
import type { SendAttempt } from '../../../src/observe/send-events.js';
import { OptOutList } from '../../../src/compliance/opt-out-list.js';
import type { Clock } from '../../../src/redis/redis-clock.js';
import { readReportRows } from '../../../src/report/report-rows.js';
import type { ReportRow } from '../../../src/report/report-row.js';
import { readStatus } from '../../../src/status/read-status.js';
import { decodeHold } from '../../../src/store/held-recipients.js';
import { queueNameOf } from '../../../src/store/keys.js';
import { readLedger } from '../../../src/store/read-ledger.js';
import type { StoredSendJob } from '../../../src/store/send-job.js';
import { parseMessageTemplates } from '../../../src/domain/template.js';
import { makeSendProcessor, SEND_STEPS } from '../../../src/send/pipeline.js';
import type { SendResult, SendStep } from '../../../src/send/send-job.js';
import { testSpec } from '../../helpers/campaign.js';
import { type Stack, startStack, waitForFinished } from '../../helpers/stack.js';
import { waitFor } from '../../helpers/wait-for.js';

const SENDER = '+14155550100';
const MIAMI = '+13055550100';
const SAN_FRANCISCO = ['+14155550101', '+14155550102', '+14155550103', '+14155550104'] as const;
const LATE_STOP = '+14155550105';
const HOUR = 3_600_000;

/** The day in New York at `at`: `2026-12-07`. */
const dayInNewYork = (at: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(at);

/** The first instant after `after` at which New York's (and so Miami's) clocks show `hour`:00. */
function nextInNewYork(after: number, hour: number): number {
  for (let days = 0; days <= 2; days++) {
    const [year, month, day] = dayInNewYork(after + days * 24 * HOUR)
      .split('-')
      .map(Number) as [number, number, number];
    const at = instantOfWallTime({ year, month, day, hour, minute: 0 }, 'America/New_York');
    if (at > after) return at;
  }
  throw new Error(`no ${hour}:00 in New York in the next two days`);
}

function csvOf(numbers: readonly string[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'herald-rules-')), 'r.csv');
  writeFileSync(path, ['phone,name', ...numbers.map((to, index) => `${to},N${index}`)].join('\n'));
  return path;
}

/** A marketing campaign (the rules apply) from the one sender, unless `transactional`. */
function campaign(name: string, transactional = false): CampaignSpec {
  return testSpec({ campaign: name, from: [SENDER], mps: 1000, body: 'Hi {{name}}', transactional });
}

/** An opt-out list on which `LATE_STOP` replies STOP right after the send's first check: while it waits for its slot. */
class StopWhileWaiting extends OptOutList {
  override async has(number: E164): Promise<boolean> {
    const was = await super.has(number);
    if (number === LATE_STOP) await this.add(number, { source: 'reply', text: 'Stop please', sender: SENDER });
    return was;
  }
}

describe('the compliance rules in the send path, at a controlled 22:00 in Florida, with a frequency cap of 1', () => {
  let stack: Stack;
  const attempts: SendAttempt[] = [];
  // The workers' clock reads 22:00 in New York; BullMQ's delays are turned back into this process's time.
  const at22 = nextInNewYork(Date.now(), 22);
  const eight = nextInNewYork(at22, 8);
  const offset = at22 - Date.now();
  const clock: Clock = { now: () => Date.now() + offset, toLocal: (at) => at - offset };

  beforeAll(async () => {
    stack = await startStack('rules', {
      clock,
      frequencyCap: 1,
      optOuts: (connection, keys) => new StopWhileWaiting(connection, keys),
    });
    stack.events.on('attempt', (attempt) => attempts.push(attempt));
  });
  afterAll(async () => stack.close());

  const sentTo = () => stack.sandbox.requests().map((request) => request.params['To']);
  const queue = (spec: CampaignSpec) =>
    new Queue(queueNameOf(spec.name, senderId(spec.senders[0]!.sender)), {
      connection: stack.connection,
      prefix: stack.keys.prefix,
    });
  const reportOf = async (spec: CampaignSpec): Promise<Map<string, ReportRow>> => {
    const record = await stack.store.get(spec.name);
    const rows = new Map<string, ReportRow>();
    for await (const row of readReportRows(stack.connection, stack.keys, record!)) rows.set(row.number, row);
    return rows;
  };
  const ledgerOf = async (spec: CampaignSpec): Promise<Record<string, string>> => {
    const states: Record<string, string> = {};
    for await (const entry of readLedger(stack.connection, stack.keys, spec.name))
      states[entry.to] = entry.state === 'failed' ? `failed:${entry.code}` : entry.state;
    return states;
  };
  const ingest = (spec: CampaignSpec, numbers: readonly string[]) =>
    runIngest(stack, {
      file: csvOf(numbers),
      spec,
      rejectedPath: join(tmpdir(), `${spec.name}.rej.csv`),
      chunkSize: 10,
    });

  it('holds its Florida recipient until 08:00 their time, using no attempt, and sends the others', async () => {
    const evening = campaign('evening');
    const held: { campaign: string; reason: string; until: number }[] = [];
    stack.events.on('recipient:held', (event) => held.push(event));
    await ingest(evening, [MIAMI, SAN_FRANCISCO[0], SAN_FRANCISCO[1]]);

    await waitFor(
      async () =>
        held.some((event) => event.campaign === 'evening') &&
        Object.values(await ledgerOf(evening)).filter((state) => state === 'sent').length === 2,
      { what: 'the San Francisco recipients sent and the Miami one held' },
    );
    expect(sentTo().sort()).toEqual([SAN_FRANCISCO[0], SAN_FRANCISCO[1]]);
    expect(held).toEqual([{ campaign: 'evening', reason: 'quiet-hours', until: eight }]);
    expect(await ledgerOf(evening)).toEqual({
      [MIAMI]: 'queued',
      [SAN_FRANCISCO[0]]: 'sent',
      [SAN_FRANCISCO[1]]: 'sent',
    });

    // Its job waits for 08:00 (and at most a minute's spread), with no attempt used.
    const jobs = queue(evening);
    try {
      const job = await jobs.getJob(MIAMI);
      expect(await job!.getState()).toBe('delayed');
      expect(job!.attemptsMade).toBe(0);
      const wakesAt = job!.timestamp + job!.delay + offset;
      expect(wakesAt).toBeGreaterThanOrEqual(eight - 1000);
      expect(wakesAt).toBeLessThanOrEqual(eight + 61_000);
    } finally {
      await jobs.close();
    }

    // The audit trail: the hold as recorded, the report's words and status's count.
    const hold = await stack.connection.hget(stack.keys.held(evening.name), MIAMI);
    expect(decodeHold(hold!)).toEqual({ reason: 'quiet-hours', until: eight, rule: 'FL', zone: 'America/New_York' });
    expect((await reportOf(evening)).get(MIAMI)).toMatchObject({
      status: 'queued',
      error_code: 'quiet-hours',
      error_reason: `held: quiet hours until ${dayInNewYork(eight)} 08:00 America/New_York (Florida law)`,
    });
    const status = await readStatus(stack.connection, stack.keys, stack.store, evening.name);
    expect(status?.held).toEqual({ 'quiet-hours': 1, 'frequency-cap': 0 });
  });

  it('holds a second campaign’s recipient over the frequency cap until its first message is a day old', async () => {
    const second = campaign('second');
    await ingest(second, [SAN_FRANCISCO[0], SAN_FRANCISCO[2]]);
    await waitFor(async () => (await stack.connection.hexists(stack.keys.held(second.name), SAN_FRANCISCO[0])) === 1, {
      what: 'the recipient texted by the first campaign to be held',
    });
    await waitFor(() => sentTo().includes(SAN_FRANCISCO[2]), { what: 'the other recipient sent' });
    expect(sentTo().filter((to) => to === SAN_FRANCISCO[0])).toHaveLength(1);

    // Counted on Redis's clock, in one sorted set per recipient that expires by itself.
    const key = stack.keys.frequency(SAN_FRANCISCO[0]);
    const [, countedAt] = await stack.connection.zrange(key, '0', '0', 'WITHSCORES');
    const hold = decodeHold((await stack.connection.hget(stack.keys.held(second.name), SAN_FRANCISCO[0]))!);
    expect(hold).toEqual({ reason: 'frequency-cap', until: Math.ceil(Number(countedAt) + 24 * HOUR) });
    expect(await stack.connection.pttl(key)).toBeGreaterThan(23 * HOUR);
    expect((await reportOf(second)).get(SAN_FRANCISCO[0])).toMatchObject({
      status: 'queued',
      error_code: 'frequency-cap',
      error_reason: expect.stringMatching(/^held: frequency cap \(messages in 24 hours across campaigns\) until /),
    });
    expect((await readStatus(stack.connection, stack.keys, stack.store, second.name))?.held).toEqual({
      'quiet-hours': 0,
      'frequency-cap': 1,
    });
  });

  it('sends a transactional campaign at 22:00 and past the cap, and counts nothing against it', async () => {
    const receipt = campaign('receipt', true);
    await ingest(receipt, [MIAMI, SAN_FRANCISCO[0]]);
    await waitForFinished(stack.store, receipt.name);
    expect(await ledgerOf(receipt)).toEqual({ [MIAMI]: 'sent', [SAN_FRANCISCO[0]]: 'sent' });
    expect(await stack.connection.zcard(stack.keys.frequency(SAN_FRANCISCO[0]))).toBe(1);
    expect(await stack.connection.exists(stack.keys.frequency(MIAMI))).toBe(0);
  });

  it('settles as opted out, without a request, a recipient whose STOP lands while the send waits for its slot', async () => {
    const late = campaign('late-stop');
    await ingest(late, [LATE_STOP, SAN_FRANCISCO[3]]);
    await waitForFinished(stack.store, late.name);
    expect(sentTo()).not.toContain(LATE_STOP);
    expect(await ledgerOf(late)).toEqual({ [LATE_STOP]: 'failed:21610', [SAN_FRANCISCO[3]]: 'sent' });
    // Caught right before the request (the first check found nothing), with the record's words.
    const today = new Date().toISOString().split('T')[0];
    expect(attempts.find((attempt) => attempt.line === 2 && attempt.campaign === late.name)).toMatchObject({
      outcome: 'failed',
      code: '21610',
      reason: `recipient opted out on ${today} by replying "Stop please" to ${SENDER}`,
    });
    expect((await reportOf(late)).get(LATE_STOP)).toMatchObject({
      status: 'failed',
      error_code: '21610',
      error_reason: `recipient opted out on ${today} by replying "Stop please" to ${SENDER}`,
    });
    // Its count on the frequency cap was given back: nothing reached it.
    expect(await stack.connection.exists(stack.keys.frequency(LATE_STOP))).toBe(0);
  });
});

describe('a send whose wait for its slot crosses into quiet hours', () => {
  let stack: Stack;
  let worker: Worker<StoredSendJob, SendResult> | undefined;
  // The workers' clock reads 19:59:30 in Miami, 30 s before Florida's 20:00, until the slot's wait moves it on.
  const at = nextInNewYork(Date.now(), 20) - 30_000;
  const eight = nextInNewYork(at, 8);
  let offset = at - Date.now();
  const clock: Clock = { now: () => Date.now() + offset, toLocal: (t) => t - offset };

  beforeAll(async () => {
    stack = await startStack('crossing', { clock });
    // This test runs the campaign's queue itself, with a pipeline whose slot takes a minute to come.
    await stack.workers.close(1000);
  });
  afterAll(async () => {
    await worker?.close();
    await stack.close();
  });

  it('is held right before its request, not sent after 20:00', async () => {
    const spec = campaign('crossing');
    const slowSlot: SendStep = {
      name: 'a slot a minute away',
      async run() {
        offset += 60_000;
      },
    };
    const steps = SEND_STEPS.flatMap((step) => (step.name === 'take-capacity' ? [step, slowSlot] : [step]));
    const parsed = parseMessageTemplates(spec.templates);
    if (!parsed.ok) throw new Error(parsed.reason);
    const entry = spec.senders[0]!;
    const target = {
      spec,
      templates: parsed.templates,
      senders: new Map([[senderId(entry.sender), entry]]),
      variables: [...parsed.templates.variables],
    };
    const held: { reason: string; until: number }[] = [];
    stack.events.on('recipient:held', (event) => held.push(event));
    await runIngest(stack, {
      file: csvOf([MIAMI]),
      spec,
      rejectedPath: join(tmpdir(), 'crossing.rej.csv'),
      chunkSize: 10,
    });
    worker = new Worker<StoredSendJob, SendResult>(
      queueNameOf(spec.name, senderId(entry.sender)),
      makeSendProcessor(stack.deps, target, steps),
      { connection: stack.connection, prefix: stack.keys.prefix },
    );
    await waitFor(() => held.length === 1, { what: 'the Miami recipient to be held' });

    // Legal when its job started (19:59:30), not when its request would have been written (20:00:30).
    expect(held).toEqual([{ campaign: 'crossing', reason: 'quiet-hours', until: eight }]);
    expect(stack.sandbox.requests()).toEqual([]);
    expect(await stack.connection.hget(stack.keys.recipients(spec.name), MIAMI)).toMatch(/^q:/);
    expect(decodeHold((await stack.connection.hget(stack.keys.held(spec.name), MIAMI))!)).toMatchObject({
      reason: 'quiet-hours',
      rule: 'FL',
    });
    // No count was taken against its frequency cap.
    expect(await stack.connection.exists(stack.keys.frequency(MIAMI))).toBe(0);
  });
});
