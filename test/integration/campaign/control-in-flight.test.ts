import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterEach, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';

import type { CampaignSpec } from '../../../src/domain/campaign.js';
import { runIngest } from '../../../src/ingest/run-ingest.js';
import type { E164 } from '../../../src/domain/e164.js';
import { CampaignControl } from '../../../src/queue/campaign-control.js';
import { CampaignGate } from '../../../src/send/campaign-gate.js';
import type { Send, SendDeps } from '../../../src/send/send-job.js';
import { gateAndBegin, WRITE_DEADLINE_MS } from '../../../src/send/steps/gate-and-begin.js';
import { queueNameOf } from '../../../src/store/keys.js';
import { readLedger } from '../../../src/store/read-ledger.js';
import { type Stack, startStack, waitForFinished } from '../../helpers/stack.js';
import { waitFor } from '../../helpers/wait-for.js';
import { testSpec } from '../../helpers/campaign.js';

function csvOf(count: number, first: number): string {
  const path = join(mkdtempSync(join(tmpdir(), 'herald-control-')), 'r.csv');
  const rows = Array.from({ length: count }, (_, index) => `+1415555${String(first + index)},N${index}`);
  writeFileSync(path, ['phone,name', ...rows].join('\n'));
  return path;
}

async function ledgerStates(stack: Stack, campaign: CampaignSpec): Promise<Record<string, number>> {
  const states: Record<string, number> = {};
  for await (const entry of readLedger(stack.connection, stack.keys, campaign.name))
    states[entry.state] = (states[entry.state] ?? 0) + 1;
  return states;
}

describe('pause and cancel with sends in flight', () => {
  let stack: Stack;
  afterEach(async () => stack.close());

  // Each request takes 1.5 s, so the command lands while several are in flight.
  const open = () => startStack('control', { concurrency: 5, latencyMs: 1500 });

  it('cancel leaves a send that had begun to settle as sent; every other recipient is cancelled, and counted', async () => {
    stack = await open();
    const campaign = testSpec({ campaign: 'inflight', from: ['+14155550100'], mps: 1000, body: 'Hi {{name}}' });
    await runIngest(stack, {
      file: csvOf(40, 3000),
      spec: campaign,
      rejectedPath: join(tmpdir(), 'x.csv'),
      chunkSize: 40,
    });
    await waitFor(() => stack.sandbox.requests().length >= 3, { what: 'three requests at the sandbox', every: 10 });

    const control = new CampaignControl(stack.connection, stack.keys, stack.store);
    const result = await control.cancel(campaign.name);
    const begun = 40 - (result.cancelled ?? 0);
    expect(begun).toBeGreaterThanOrEqual(3);
    expect((await ledgerStates(stack, campaign))['in-flight']).toBe(begun);

    await waitFor(async () => (await control.activeJobs(campaign.name)) === 0, { what: 'no active jobs' });
    // That no further request follows can only be seen by waiting: 0.2 s.
    await sleep(200);
    expect(stack.sandbox.requests()).toHaveLength(begun);
    expect(await ledgerStates(stack, campaign)).toEqual({ sent: begun, cancelled: 40 - begun });
    expect(await stack.store.counts(campaign.name)).toMatchObject({ queued: 40, sent: begun, cancelled: 40 - begun });
    expect(await stack.store.get(campaign.name)).toMatchObject({ state: 'cancelled', finishedAt: expect.any(String) });
  });

  it('a job held when the pause lands goes back to wait with its attempt unused and its recipient still queued', async () => {
    // At 2 a second a worker holds its next job while it waits for the sender's slot: the pause finds it there. Eight
    // recipients leave about five waiting at the pause, as many as the worker may hold, and take 4 s at this rate.
    const RECIPIENTS = 8;
    stack = await startStack('control', { concurrency: 5 });
    const campaign = testSpec({ campaign: 'held', from: ['+14155550100'], mps: 2, body: 'Hi {{name}}' });
    await runIngest(stack, {
      file: csvOf(RECIPIENTS, 4000),
      spec: campaign,
      rejectedPath: join(tmpdir(), 'y.csv'),
      chunkSize: 30,
    });
    await waitFor(() => stack.sandbox.requests().length >= 3, { what: 'three requests at the sandbox', every: 10 });

    const control = new CampaignControl(stack.connection, stack.keys, stack.store);
    expect(await control.pause(campaign.name)).toEqual({ changed: true, state: 'paused' });
    await waitFor(async () => (await control.activeJobs(campaign.name)) === 0, { what: 'no active jobs' });
    const sent = stack.sandbox.requests().length;
    expect(await ledgerStates(stack, campaign)).toEqual({ sent, queued: RECIPIENTS - sent });

    const queue = new Queue(queueNameOf(campaign.name, 'p14155550100'), {
      connection: stack.connection,
      prefix: stack.keys.prefix,
    });
    try {
      const waiting = await queue.getWaiting();
      expect(waiting).toHaveLength(RECIPIENTS - sent);
      expect(waiting.every((job) => job.attemptsMade === 0)).toBe(true);
      // At least one of them had been fetched and was sent back by the gate, not by a failure.
      expect(waiting.some((job) => job.attemptsStarted > 0)).toBe(true);
      expect(await queue.isPaused()).toBe(true);
    } finally {
      await queue.close();
    }

    expect(await control.pause(campaign.name)).toEqual({ changed: false, state: 'paused' });
    expect(await control.resume(campaign.name)).toEqual({ changed: true, state: 'running' });
    await waitForFinished(stack.store, campaign.name);
    const perTo = new Map<string, number>();
    for (const request of stack.sandbox.requests()) {
      const to = String(request.params['To']);
      perTo.set(to, (perTo.get(to) ?? 0) + 1);
    }
    expect(perTo.size).toBe(RECIPIENTS);
    expect([...perTo.values()].every((times) => times === 1)).toBe(true);
  });

  it('the gate of a cancelled campaign cancels a queued recipient but leaves one an interrupted attempt left in flight to the ledger', async () => {
    stack = await open();
    const campaign = testSpec({ campaign: 'gate', from: ['+14155550100'], mps: 1000, body: 'Hi {{name}}' });
    await stack.store.open(campaign);
    const queued = '+14155556001' as E164;
    const interrupted = '+14155556002' as E164;
    await stack.ledger.claim(campaign.name, [
      { to: queued, senderId: 'p14155550100', channel: 'sms' },
      { to: interrupted, senderId: 'p14155550100', channel: 'sms' },
    ]);
    await stack.ledger.begin(campaign.name, interrupted, 'an-earlier-attempt');
    await stack.connection.hset(stack.keys.campaign(campaign.name), 'state', 'cancelled');

    const gate = new CampaignGate(stack.connection, stack.keys);
    expect(await gate.checkAndBegin(campaign.name, queued, 'job/1')).toEqual({ kind: 'cancelled', closed: false });
    expect(await gate.checkAndBegin(campaign.name, interrupted, 'job/1')).toEqual({
      kind: 'in-flight',
      since: expect.any(Number),
      token: 'an-earlier-attempt',
      written: false,
    });
    expect(await ledgerStates(stack, campaign)).toEqual({ cancelled: 1, 'in-flight': 1 });
    const settled = await stack.ledger.settle(campaign.name, interrupted, 'sms', {
      state: 'unknown',
      reason: 'interrupted',
    });
    expect(settled).toEqual({ changed: true, finished: true, confirmed: true });
    expect(await stack.store.get(campaign.name)).toMatchObject({ state: 'cancelled', finishedAt: expect.any(String) });
  });

  it('a gate answer read past the write deadline writes nothing: the attempt puts its own mark back to queued', async () => {
    stack = await open();
    const campaign = testSpec({ campaign: 'deadline', from: ['+14155550100'], mps: 1000, body: 'Hi {{name}}' });
    await stack.store.open(campaign);
    const to = '+14155556004' as E164;
    const sender = 'p14155550100';
    await stack.ledger.claim(campaign.name, [{ to, senderId: sender, channel: 'sms' }]);
    // The clock the send reads: when it asks the gate, then when it reads the answer.
    const at = Date.now();
    const readings: number[] = [];
    const deps = {
      gate: new CampaignGate(stack.connection, stack.keys),
      ledger: stack.ledger,
      clock: { now: () => readings.shift() ?? Date.now(), toLocal: (time: number) => time },
    } as unknown as SendDeps;
    const sendOf = (attempt: number) =>
      ({
        job: { id: to, attemptsStarted: attempt },
        target: { spec: campaign },
        data: { to },
        senderId: sender,
      }) as unknown as Send;

    // A process stalled between the question and its answer for longer than the deadline.
    readings.push(at, at + WRITE_DEADLINE_MS + 1);
    const late = sendOf(1);
    expect(await gateAndBegin(late, deps)).toBe(false);
    expect(late.verdict).toMatchObject({ kind: 'later', retry: { code: 'not-written' } });
    expect(late.mark).toBeUndefined();
    expect(await stack.connection.hget(stack.keys.recipients(campaign.name), to)).toBe(`q:${sender}`);

    // In time, the next attempt may write: its mark stays, not yet written.
    readings.push(at + 1, at + 1 + WRITE_DEADLINE_MS);
    const inTime = sendOf(2);
    expect(await gateAndBegin(inTime, deps)).toBe(true);
    expect(inTime.mark).toEqual({ since: at + 1, token: `${to}/2` });
    expect(await stack.connection.hget(stack.keys.recipients(campaign.name), to)).toBe(`in:${at + 1}:${to}/2`);
  });

  it('the gate and the ledger’s begin in one step: nothing begins while paused, a queued recipient begins once open', async () => {
    stack = await open();
    const campaign = testSpec({ campaign: 'begin', from: ['+14155550100'], mps: 1000, body: 'Hi {{name}}' });
    await stack.store.open(campaign);
    const to = '+14155556003' as E164;
    await stack.ledger.claim(campaign.name, [{ to, senderId: 'p14155550100', channel: 'sms' }]);
    const gate = new CampaignGate(stack.connection, stack.keys);

    await stack.connection.hset(stack.keys.campaign(campaign.name), 'state', 'paused');
    expect(await gate.checkAndBegin(campaign.name, to, 'job/1')).toEqual({ kind: 'paused' });
    expect(await ledgerStates(stack, campaign)).toEqual({ queued: 1 });

    await stack.connection.hset(stack.keys.campaign(campaign.name), 'state', 'running');
    const at = Date.now();
    expect(await gate.checkAndBegin(campaign.name, to, 'job/1', new Date(at))).toEqual({ kind: 'go' });
    // The mark of a request not yet written.
    expect(await stack.connection.hget(stack.keys.recipients(campaign.name), to)).toBe(`in:${at}:job/1`);
    // The same attempt asking again (its first answer was lost and the client sent the script again) may go: it
    // made no request yet. Any other attempt finds the mark.
    expect(await gate.checkAndBegin(campaign.name, to, 'job/1', new Date(at + 5))).toEqual({ kind: 'go' });
    expect(await stack.connection.hget(stack.keys.recipients(campaign.name), to)).toBe(`in:${at}:job/1`);
    // A second delivery finds the first attempt's mark, even once the campaign is cancelled, and whether it was
    // recorded written.
    await stack.connection.hset(stack.keys.campaign(campaign.name), 'state', 'cancelled');
    expect(await gate.checkAndBegin(campaign.name, to, 'job/2')).toEqual({
      kind: 'in-flight',
      since: at,
      token: 'job/1',
      written: false,
    });
    expect(await stack.ledger.markWritten(campaign.name, to, { since: at, token: 'job/1' })).toBe(true);
    expect(await stack.connection.hget(stack.keys.recipients(campaign.name), to)).toBe(`i:${at}:job/1`);
    expect(await gate.checkAndBegin(campaign.name, to, 'job/2')).toEqual({
      kind: 'in-flight',
      since: at,
      token: 'job/1',
      written: true,
    });
    // Only the unwritten mark itself moves: not its written form, nor a settled recipient (a write recorded late).
    const mark = { since: at, token: 'job/1' };
    expect(await stack.ledger.releaseUnwritten(campaign.name, to, mark, 'p14155550100')).toBe(false);
    await stack.ledger.settle(campaign.name, to, 'sms', { state: 'sent', sid: 'SM1' });
    expect(await stack.ledger.markWritten(campaign.name, to, mark)).toBe(false);
    expect(await stack.connection.hget(stack.keys.recipients(campaign.name), to)).toBe('s:SM1');
    await stack.connection.hset(stack.keys.campaign(campaign.name), 'state', 'running');
    expect(await gate.checkAndBegin(campaign.name, to, 'job/3')).toEqual({
      kind: 'final',
      state: { state: 'sent', sid: 'SM1' },
    });

    // Moves asked in one turn go in one call, each answered as if alone: two unwritten marks and a settled one.
    const others = ['+14155550124', '+14155550125'] as E164[];
    await stack.ledger.claim(
      campaign.name,
      others.map((number) => ({ to: number, senderId: 'p14155550100', channel: 'sms' as const })),
    );
    for (const [index, number] of others.entries()) {
      expect(await gate.checkAndBegin(campaign.name, number, `job/${index + 4}`, new Date(at))).toEqual({ kind: 'go' });
    }
    const moved = await Promise.all([
      stack.ledger.markWritten(campaign.name, others[0]!, { since: at, token: 'job/4' }),
      stack.ledger.markWritten(campaign.name, to, mark),
      stack.ledger.releaseUnwritten(campaign.name, others[1]!, { since: at, token: 'job/5' }, 'p14155550100'),
    ]);
    expect(moved).toEqual([true, false, true]);
    expect(await stack.connection.hmget(stack.keys.recipients(campaign.name), others[0]!, to, others[1]!)).toEqual([
      `i:${at}:job/4`,
      's:SM1',
      'q:p14155550100',
    ]);
  });
});
