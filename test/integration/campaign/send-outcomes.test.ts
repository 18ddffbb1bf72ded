import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';

import type { CampaignSpec } from '../../../src/domain/campaign.js';
import type { E164 } from '../../../src/domain/e164.js';
import { senderId } from '../../../src/domain/sender.js';
import { runIngest } from '../../../src/ingest/run-ingest.js';
import type { SendAttempt } from '../../../src/observe/send-events.js';
import { OptOutList } from '../../../src/compliance/opt-out-list.js';
import { sendJobName, sendJobOptions } from '../../../src/store/job-options.js';
import { queueNameOf } from '../../../src/store/keys.js';
import { readLedger } from '../../../src/store/read-ledger.js';
import { decodeDetail } from '../../../src/store/recipient-detail.js';
import { encodeSendJob, type StoredSendJob } from '../../../src/store/send-job.js';
import { startSandbox } from '../../../src/sandbox/index.js';
import { CampaignGate } from '../../../src/send/campaign-gate.js';
import { WRITE_DEADLINE_MS } from '../../../src/send/steps/gate-and-begin.js';
import { createTwilioClient } from '../../../src/send/twilio-client.js';
import {
  type Stack,
  type StackOptions,
  startStack,
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  waitForFinished,
} from '../../helpers/stack.js';
import { testSpec } from '../../helpers/campaign.js';
import { countDelayedJobs } from '../../helpers/delayed-jobs.js';
import { waitFor } from '../../helpers/wait-for.js';

const TO = '+14155550123';

function spec(name: string): CampaignSpec {
  return testSpec({ campaign: name, from: ['+14155550100'], mps: 1000, body: 'Hi {{name}}' });
}

function csvOf(rows: string[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'herald-outcomes-')), 'r.csv');
  writeFileSync(path, ['phone,name', ...rows].join('\n'));
  return path;
}

/** Attempts the recipient's settle-time detail records (see report/recipient-detail.ts). */
async function attemptsOf(stack: Stack, campaign: CampaignSpec, to: string): Promise<number | undefined> {
  const text = await stack.connection.hget(stack.keys.details(campaign.name), to);
  return text === null ? undefined : decodeDetail(text)?.attempts;
}

async function ledgerStates(stack: Stack, campaign: CampaignSpec): Promise<Record<string, string>> {
  const states: Record<string, string> = {};
  for await (const entry of readLedger(stack.connection, stack.keys, campaign.name)) {
    states[entry.to] =
      entry.state === 'sent' ? 'sent' : entry.state === 'failed' ? `failed:${entry.code}` : entry.state;
  }
  return states;
}

describe('send outcomes against the sandbox', () => {
  let stack: Stack;
  const open = async (options: StackOptions = {}) => (stack = await startStack('outcomes', options));
  afterEach(async () => stack.close());

  it('retries a refused connection after a backoff and sends once the API is back', async () => {
    await open({ attempts: 5 });
    const { port } = stack.sandbox;
    await stack.sandbox.close();
    const attempts: SendAttempt[] = [];
    stack.events.on('attempt', (attempt) => attempts.push(attempt));
    const campaign = spec('comeback');
    await runIngest(stack, {
      file: csvOf([`${TO},Ann`]),
      spec: campaign,
      rejectedPath: join(tmpdir(), 'r1.csv'),
      chunkSize: 10,
    });

    await waitFor(() => attempts.some((attempt) => attempt.outcome === 'retry'), { what: 'a retry' });
    expect(attempts[0]).toMatchObject({ outcome: 'retry', reason: expect.stringMatching(/ECONNREFUSED/) });
    const revived = await startSandbox({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN, port });
    try {
      await waitForFinished(stack.store, campaign.name);
      expect(revived.requests().map((request) => request.params['To'])).toEqual([TO]);
      expect(await ledgerStates(stack, campaign)).toEqual({ [TO]: 'sent' });
      expect(await stack.store.counts(campaign.name)).toMatchObject({ sent: 1, failed: 0 });
      // Each refused connection used an attempt, and so did the send that went through.
      const retries = attempts.filter((attempt) => attempt.outcome === 'retry').length;
      expect(await attemptsOf(stack, campaign, TO)).toBe(retries + 1);
    } finally {
      await revived.close();
    }
  });

  it('holds the whole sender back on 429s, for the Retry-After, without using the job’s attempts', async () => {
    await open({ attempts: 2 });
    stack.sandbox.setFaults({ rate429: 1, retryAfterSeconds: 2, seed: 7 });
    const campaign = spec('throttled');
    await runIngest(stack, {
      file: csvOf([`${TO},Ann`]),
      spec: campaign,
      rejectedPath: join(tmpdir(), 'r5.csv'),
      chunkSize: 10,
    });
    const throttled = () => stack.sandbox.requests().filter((request) => request.fault === '429');
    await waitFor(() => throttled().length >= 2, { what: 'two throttled requests' });
    stack.sandbox.setFaults({});
    await waitForFinished(stack.store, campaign.name, 15_000);

    expect(await ledgerStates(stack, campaign)).toEqual({ [TO]: 'sent' });
    // Throttled requests use no attempt: the report counts the one send.
    expect(await attemptsOf(stack, campaign, TO)).toBe(1);
    const times = stack.sandbox.requests().map((request) => request.receivedAt);
    expect(times.length).toBeGreaterThanOrEqual(3);
    // Twilio's Retry-After (2 s), not herald's default wait (1 s), spaced every retry.
    for (let index = 1; index < times.length; index++) expect(times[index]! - times[index - 1]!).toBeGreaterThan(1950);
  });

  it('fails the recipient with the last reason when the attempts run out', async () => {
    await open({ attempts: 2 });
    await stack.sandbox.close();
    const campaign = spec('gone');
    await runIngest(stack, {
      file: csvOf([`${TO},Ann`]),
      spec: campaign,
      rejectedPath: join(tmpdir(), 'r2.csv'),
      chunkSize: 10,
    });
    await waitForFinished(stack.store, campaign.name);
    expect(await ledgerStates(stack, campaign)).toEqual({ [TO]: 'failed:transient' });
    expect(await attemptsOf(stack, campaign, TO)).toBe(2);
    const queue = new Queue(queueNameOf(campaign.name, 'p14155550100'), {
      connection: stack.connection,
      prefix: stack.keys.prefix,
    });
    const [failed] = await queue.getFailed();
    await queue.close();
    expect(failed?.failedReason).toMatch(
      /gave up after 2 attempts: the request was not sent: its connection could not be opened \(connect ECONNREFUSED/,
    );
  });

  it('records a send that timed out after reaching Twilio, and whose lookup timed out too, as unknown and never sends it again', async () => {
    await open({ latencyMs: 1500, timeoutMs: 300 });
    const campaign = spec('slow');
    await runIngest(stack, {
      file: csvOf([`${TO},Ann`]),
      spec: campaign,
      rejectedPath: join(tmpdir(), 'r3.csv'),
      chunkSize: 10,
    });
    await waitForFinished(stack.store, campaign.name);
    // That nothing is sent again can only be seen by waiting: 2 s after the campaign finished.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(stack.sandbox.requests()).toHaveLength(1);
    expect(await ledgerStates(stack, campaign)).toEqual({ [TO]: 'unknown' });
    expect(await stack.store.counts(campaign.name)).toMatchObject({ queued: 1, unknown: 1, sent: 0 });
  });

  it('sends nothing for a job delivered again after its recipient settled, or after an interrupted attempt', async () => {
    await open();
    const campaign = spec('redelivered');
    const file = csvOf([`${TO},Ann`]);
    await runIngest(stack, { file, spec: campaign, rejectedPath: join(tmpdir(), 'r4.csv'), chunkSize: 10 });
    await waitForFinished(stack.store, campaign.name);
    expect(stack.sandbox.requests()).toHaveLength(1);

    // A worker killed after writing its request leaves its in-flight mark behind, recorded written (`i:`), and
    // BullMQ hands the job to another worker; the settled recipient's job comes back too, as after a lock that
    // expired just as it completed.
    const interrupted = '+14155550125' as E164;
    await stack.connection.hset(
      stack.keys.recipients(campaign.name),
      interrupted,
      `i:${Date.now() - 60_000}:gone-worker`,
    );
    await stack.connection.hincrby(stack.keys.counts(campaign.name), 'queued', 1);
    await stack.store.open(campaign);
    const queue = new Queue<StoredSendJob>(queueNameOf(campaign.name, senderId(campaign.senders[0]!.sender)), {
      connection: stack.connection,
      prefix: stack.keys.prefix,
    });
    const job = (to: E164) => ({
      name: sendJobName(senderId(campaign.senders[0]!.sender)),
      data: encodeSendJob({ line: 2, to, channel: 'sms', segments: 1, vars: { name: 'Ann' } }, ['name']),
      opts: sendJobOptions(to),
    });
    await queue.addBulk([job(TO as E164), job(interrupted)]);
    await stack.ledger.finishIngest(campaign.name);
    await waitForFinished(stack.store, campaign.name);
    await queue.close();

    expect(stack.sandbox.requests()).toHaveLength(1);
    expect(await ledgerStates(stack, campaign)).toEqual({ [TO]: 'sent', [interrupted]: 'unknown' });
    expect(await stack.store.counts(campaign.name)).toMatchObject({ queued: 2, sent: 1, unknown: 1 });
  });
});

describe('opt-outs', () => {
  let stack: Stack;
  afterEach(async () => stack.close());

  it('remembers a recipient who replied STOP and never texts them again, in this campaign or a later one', async () => {
    stack = await startStack('opt-outs');
    // The sandbox answers 21610 for +15005550004, as Twilio does for a number that replied STOP.
    const first = spec('first');
    await runIngest(stack, {
      file: csvOf(['+15005550004,Ann', `${TO},Bob`]),
      spec: first,
      rejectedPath: join(tmpdir(), 'o1.csv'),
      chunkSize: 10,
    });
    await waitForFinished(stack.store, first.name);
    expect(await ledgerStates(stack, first)).toEqual({ '+15005550004': 'failed:21610', [TO]: 'sent' });
    expect(Object.keys(await stack.connection.hgetall(stack.keys.optOuts))).toEqual(['+15005550004']);
    // The record says how and through which sender: Twilio's refusal of a send from the campaign's number.
    expect(await new OptOutList(stack.connection, stack.keys).recordOf('+15005550004' as E164)).toEqual({
      at: expect.any(Number),
      source: 'twilio-21610',
      sender: '+14155550100',
    });

    const later = spec('later');
    const rejected: string[] = [];
    const summary = await runIngest(stack, {
      file: csvOf(['+15005550004,Ann', '+14155550124,Cy']),
      spec: later,
      rejectedPath: join(tmpdir(), 'o2.csv'),
      chunkSize: 10,
      onRejected: (line, reason) => rejected.push(`${line}: ${reason}`),
    });
    expect(summary).toMatchObject({ queued: 1, rejected: 1 });
    expect(rejected).toEqual(['2: recipient opted out (replied STOP to an earlier message)']);
    await waitForFinished(stack.store, later.name);

    // A number that opts out after its job was queued is settled without a request.
    const queuedEarlier = '+14155550126' as E164;
    await new OptOutList(stack.connection, stack.keys).add(queuedEarlier, { source: 'operator' });
    await stack.connection.hset(stack.keys.recipients(later.name), queuedEarlier, 'q:p14155550100');
    await stack.connection.hincrby(stack.keys.counts(later.name), 'queued', 1);
    await stack.store.open(later);
    const queue = new Queue<StoredSendJob>(queueNameOf(later.name, 'p14155550100'), {
      connection: stack.connection,
      prefix: stack.keys.prefix,
    });
    await queue.add(
      sendJobName('p14155550100'),
      encodeSendJob({ line: 4, to: queuedEarlier, channel: 'sms', segments: 1, vars: { name: 'Di' } }, ['name']),
      sendJobOptions(queuedEarlier),
    );
    await stack.ledger.finishIngest(later.name);
    await waitForFinished(stack.store, later.name);
    await queue.close();

    expect(stack.sandbox.requests().map((request) => request.params['To'])).toEqual([
      '+15005550004',
      TO,
      '+14155550124',
    ]);
    expect(await ledgerStates(stack, later)).toEqual({ '+14155550124': 'sent', [queuedEarlier]: 'failed:21610' });
  });
});

describe('reconciliation through the Messages list', () => {
  let stack: Stack;
  afterEach(async () => stack.close());

  async function runOne(name: string): Promise<CampaignSpec> {
    const campaign = spec(name);
    await runIngest(stack, {
      file: csvOf([`${TO},Ann`]),
      spec: campaign,
      rejectedPath: join(tmpdir(), `${name}.csv`),
      chunkSize: 10,
    });
    await waitForFinished(stack.store, campaign.name);
    return campaign;
  }

  it('settles a message accepted and then cut off as sent, with the SID Twilio gave it, without sending it again', async () => {
    stack = await startStack('reconcile-found');
    stack.sandbox.setFaults({ acceptThenDrop: 1 });
    const attempts: SendAttempt[] = [];
    stack.events.on('attempt', (attempt) => attempts.push(attempt));
    const campaign = await runOne('dropped');

    const requests = stack.sandbox.requests();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ status: 201, fault: 'drop' });
    const entries = [];
    for await (const entry of readLedger(stack.connection, stack.keys, campaign.name)) entries.push(entry);
    expect(entries).toEqual([{ to: TO, state: 'sent', sid: requests[0]!.sid }]);
    expect(attempts).toMatchObject([
      { outcome: 'sent', sid: requests[0]!.sid, reason: expect.stringMatching(/found/) },
    ]);
    expect(await stack.store.counts(campaign.name)).toMatchObject({ sent: 1, unknown: 0 });
  });

  it('records unknown, and sends nothing more, when the list cannot be read', async () => {
    stack = await startStack('reconcile-failed');
    stack.sandbox.setFaults({ acceptThenDrop: 1, listErrors: 1 });
    const campaign = await runOne('unlisted');
    // That nothing more is sent can only be seen by waiting: 1 s after the campaign finished.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    expect(stack.sandbox.requests()).toHaveLength(1);
    const entries = [];
    for await (const entry of readLedger(stack.connection, stack.keys, campaign.name)) entries.push(entry);
    expect(entries).toEqual([{ to: TO, state: 'unknown', reason: 'lookup-failed' }]);
  });

  it('keeps looking, within its patience, when the first lookup fails, and settles sent once the list answers', async () => {
    // The lookup is repeated after 1 s rather than the workers' 10 s: the sandbox lists a message at once.
    stack = await startStack('reconcile-patient', { reconcilePatienceMs: 30_000, lookAgainMs: 1000 });
    stack.sandbox.setFaults({ acceptThenDrop: 1, listErrors: 1 });
    const campaign = spec('patient');
    await runIngest(stack, {
      file: csvOf([`${TO},Ann`]),
      spec: campaign,
      rejectedPath: join(tmpdir(), 'patient.csv'),
      chunkSize: 10,
    });
    await waitFor(() => stack.sandbox.requests().length > 0, { what: 'the create request' });
    await waitFor(async () => (await countDelayedJobs(stack.connection, stack.keys.prefix)) === 1, {
      what: 'the job to be put back to look again',
    });
    // The first lookup failed: the recipient is still in flight, neither unknown nor sent again, and its mark says
    // the request was written (`i:`, not `in:`): whoever looks next must not take it for a request that never left.
    expect(await stack.connection.hget(stack.keys.recipients(campaign.name), TO)).toMatch(/^i:/);
    stack.sandbox.setFaults({});
    await waitForFinished(stack.store, campaign.name, 20_000);

    const requests = stack.sandbox.requests();
    expect(requests).toHaveLength(1);
    expect(await stack.connection.hget(stack.keys.recipients(campaign.name), TO)).toBe(`s:${requests[0]!.sid}`);
  });

  it('finds the message of an attempt interrupted mid-send (a killed worker) instead of recording unknown', async () => {
    stack = await startStack('reconcile-interrupted');
    const campaign = spec('killed');
    await stack.store.open(campaign);
    // What a worker killed after its request reached Twilio leaves: the in-flight mark, and the message at Twilio.
    const startedAt = Date.now();
    const client = createTwilioClient({
      accountSid: TEST_ACCOUNT_SID,
      authToken: TEST_AUTH_TOKEN,
      baseUrl: stack.sandbox.url,
      timeoutMs: 5000,
      maxSockets: 1,
    });
    const message = await client.messages.create({ to: TO, from: '+14155550100', body: 'Hi Ann' });
    await stack.connection.hset(stack.keys.recipients(campaign.name), TO, `i:${startedAt}:killed-worker`);
    await stack.connection.hincrby(stack.keys.counts(campaign.name), 'queued', 1);
    const queue = new Queue(queueNameOf(campaign.name, 'p14155550100'), {
      connection: stack.connection,
      prefix: stack.keys.prefix,
    });
    await queue.add(
      sendJobName('p14155550100'),
      encodeSendJob({ line: 2, to: TO as E164, channel: 'sms', segments: 1, vars: { name: 'Ann' } }, ['name']),
      sendJobOptions(TO as E164),
    );
    await stack.ledger.finishIngest(campaign.name);
    await waitForFinished(stack.store, campaign.name);
    await queue.close();

    expect(stack.sandbox.requests()).toHaveLength(1);
    const entries = [];
    for await (const entry of readLedger(stack.connection, stack.keys, campaign.name)) entries.push(entry);
    expect(entries).toEqual([{ to: TO, state: 'sent', sid: message.sid }]);
  });
  it('sends once, after the patience, a recipient whose interrupted attempt never wrote its request; not one whose attempt did', async () => {
    // Patience 10 s from marks set 8 s ago, a look every second: the decision falls due within a few seconds.
    stack = await startStack('reconcile-unwritten', { reconcilePatienceMs: 10_000, lookAgainMs: 1000 });
    const attempts: SendAttempt[] = [];
    stack.events.on('attempt', (attempt) => attempts.push(attempt));
    const campaign = spec('unwritten');
    await stack.store.open(campaign);
    const unwritten = '+14155550131' as E164;
    const written = '+14155550132' as E164;
    const sender = 'p14155550100';
    await stack.ledger.claim(campaign.name, [
      { to: unwritten, senderId: sender, channel: 'sms' },
      { to: written, senderId: sender, channel: 'sms' },
    ]);
    // What two workers killed mid-send leave, neither request at Twilio: each one's in-flight mark, set by the gate
    // as before a send; the second recorded its request written (its bytes were handed to the kernel, and lost).
    const since = Date.now() - 8000;
    const gate = new CampaignGate(stack.connection, stack.keys);
    for (const to of [unwritten, written]) {
      expect(await gate.checkAndBegin(campaign.name, to, `${to}/killed`, new Date(since))).toEqual({ kind: 'go' });
    }
    expect(await stack.ledger.markWritten(campaign.name, written, { since, token: `${written}/killed` })).toBe(true);
    const queue = new Queue(queueNameOf(campaign.name, sender), {
      connection: stack.connection,
      prefix: stack.keys.prefix,
    });
    await queue.addBulk(
      [unwritten, written].map((to) => ({
        name: sendJobName(sender),
        data: encodeSendJob({ line: 2, to, channel: 'sms', segments: 1, vars: { name: 'Ann' } }, ['name']),
        opts: sendJobOptions(to),
      })),
    );
    await stack.ledger.finishIngest(campaign.name);
    await waitForFinished(stack.store, campaign.name, 30_000);
    await queue.close();

    const requests = stack.sandbox.requests();
    expect(requests.map((request) => request.params['To'])).toEqual([unwritten]);
    // Not before the patience had passed, nor before the killed attempt's write deadline.
    expect(requests[0]!.receivedAt).toBeGreaterThanOrEqual(since + Math.max(10_000 - 1000, WRITE_DEADLINE_MS));
    expect(await ledgerStates(stack, campaign)).toEqual({ [unwritten]: 'sent', [written]: 'unknown' });
    expect(await stack.connection.hget(stack.keys.recipients(campaign.name), written)).toBe('u:interrupted');
    expect(await stack.store.counts(campaign.name)).toMatchObject({ queued: 2, sent: 1, unknown: 1 });
    expect(attempts.map(({ outcome, code }) => ({ outcome, code }))).toEqual(
      expect.arrayContaining([
        { outcome: 'retry', code: 'not-written' },
        { outcome: 'sent', code: undefined },
        { outcome: 'unknown', code: 'interrupted' },
      ]),
    );
    expect(attempts).toHaveLength(3);
  });
});
