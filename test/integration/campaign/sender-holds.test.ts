import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from '@jest/globals';

import type { CampaignSpec } from '../../../src/domain/campaign.js';
import { runIngest } from '../../../src/ingest/run-ingest.js';
import { readLedger } from '../../../src/store/read-ledger.js';
import { promoteHeldJobs, SenderHolds } from '../../../src/queue/sender-holds.js';
import { type Sandbox, startSandbox } from '../../../src/sandbox/index.js';
import type { SendEventMap } from '../../../src/observe/send-events.js';
import { type Stack, type StackOptions, startStack, TEST_ACCOUNT_SID, waitForFinished } from '../../helpers/stack.js';
import { testSpec } from '../../helpers/campaign.js';
import { waitFor } from '../../helpers/wait-for.js';

const RECIPIENTS = ['+14155550121', '+14155550122', '+14155550123'];

function spec(name: string, from: string): CampaignSpec {
  return testSpec({ campaign: name, from: [from], mps: 1000, body: 'Hi {{name}}' });
}

function csvOf(numbers: readonly string[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'herald-holds-')), 'r.csv');
  writeFileSync(path, ['phone,name', ...numbers.map((to) => `${to},Ann`)].join('\n'));
  return path;
}

async function ledgerStates(stack: Stack, campaign: CampaignSpec): Promise<Record<string, string>> {
  const states: Record<string, string> = {};
  for await (const entry of readLedger(stack.connection, stack.keys, campaign.name)) {
    states[entry.to] = entry.state === 'failed' ? `failed:${entry.code}` : entry.state;
  }
  return states;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('senders paused or halted by Twilio’s answer', () => {
  let stack: Stack;
  const held: SendEventMap['sender:held'][0][] = [];
  const open = async (options: StackOptions) => {
    stack = await startStack('holds', { concurrency: 1, ...options });
    held.length = 0;
    stack.events.on('sender:held', (event) => held.push(event));
    return new SenderHolds(stack.connection, stack.keys);
  };
  afterEach(async () => stack.close());

  it('63038: pauses the sender in every process until the cap resets, then resumes by itself, using no attempts', async () => {
    // One attempt per job: a wait that used an attempt would fail the recipient.
    const holds = await open({ attempts: 1, dailyCapPauseMs: 2500 });
    stack.sandbox.setFaults({ dailyCap: 1 });
    const campaign = spec('capped', '+14155550100');
    await runIngest(stack, {
      file: csvOf(RECIPIENTS),
      spec: campaign,
      rejectedPath: join(tmpdir(), 'h1.csv'),
      chunkSize: 10,
    });

    await waitFor(() => held.length === 1, { what: 'the pause' });
    const pausedAt = Date.now();
    const hold = await holds.holdOf('p14155550100');
    expect(hold).toMatchObject({ state: 'paused', scope: 'sender', code: '63038' });
    expect(hold?.state === 'paused' && hold.until - pausedAt).toBeGreaterThan(2000);
    expect(held[0]).toMatchObject({ campaign: campaign.name, senderId: 'p14155550100', hold: { code: '63038' } });
    // The day turns at Twilio while the sender is paused; nothing more is asked before the pause ends.
    stack.sandbox.setFaults({});
    await sleep(1500);
    const during = stack.sandbox.requests();
    expect(during.map((request) => request.status)).toEqual([201, 429]);
    expect(during[1]?.errorCode).toBe(63038);
    expect(Object.values(await ledgerStates(stack, campaign)).sort()).toEqual(['queued', 'queued', 'sent']);

    await waitForFinished(stack.store, campaign.name, 20_000);
    const all = stack.sandbox.requests();
    expect(all.map((request) => request.status)).toEqual([201, 429, 201, 201]);
    expect(all[2]!.receivedAt).toBeGreaterThanOrEqual(hold?.state === 'paused' ? hold.until - 50 : Infinity);
    expect(Object.values(await ledgerStates(stack, campaign))).toEqual(['sent', 'sent', 'sent']);
    expect(await stack.store.counts(campaign.name)).toMatchObject({ sent: 3, failed: 0, unknown: 0 });
    expect(held).toHaveLength(1);
  });

  it('21212: halts the sender after one request, keeps every recipient queued, and sends again once resumed', async () => {
    const holds = await open({});
    // The sandbox answers 21212 for this From, as Twilio's test credentials do.
    const campaign = spec('bad-from', '+15005550001');
    await runIngest(stack, {
      file: csvOf(RECIPIENTS),
      spec: campaign,
      rejectedPath: join(tmpdir(), 'h2.csv'),
      chunkSize: 10,
    });

    await waitFor(() => held.length === 1, { what: 'the halt' });
    await sleep(1000);
    expect(stack.sandbox.requests().map((request) => request.errorCode)).toEqual([21212]);
    expect(held[0]).toMatchObject({
      senderId: 'p15005550001',
      hold: { state: 'halted', scope: 'sender', code: '21212' },
    });
    expect(Object.values(await ledgerStates(stack, campaign))).toEqual(['queued', 'queued', 'queued']);
    expect(await stack.store.counts(campaign.name)).toMatchObject({ queued: 3, sent: 0, failed: 0, unknown: 0 });

    // Resumed with the cause still there: one more request, and the sender is halted again.
    expect(await holds.resume('sender', 'p15005550001')).toMatchObject({ state: 'halted', code: '21212' });
    expect(await promoteHeldJobs(stack.connection, stack.keys, stack.store, 'p15005550001')).toBe(1);
    await waitFor(() => held.length === 2, { what: 'the second halt' });
    await sleep(500);
    expect(stack.sandbox.requests().map((request) => request.errorCode)).toEqual([21212, 21212]);
    expect(await stack.store.counts(campaign.name)).toMatchObject({ sent: 0, failed: 0 });
  });

  it('21606: halts only that sender; the campaign’s other sender goes on', async () => {
    await open({});
    const campaign = testSpec({
      campaign: 'two-senders',
      from: ['+15005550007', '+14155550100'],
      mps: 1000,
      body: 'Hi {{name}}',
    });
    const numbers = Array.from({ length: 12 }, (_, index) => `+1415555${String(200 + index).padStart(4, '0')}`);
    await runIngest(stack, {
      file: csvOf(numbers),
      spec: campaign,
      rejectedPath: join(tmpdir(), 'h3.csv'),
      chunkSize: 10,
    });
    await waitFor(() => held.length === 1, { what: 'the halt' });
    await waitFor(
      async () => {
        const states = Object.values(await ledgerStates(stack, campaign));
        return states.filter((state) => state === 'sent').length + states.filter((s) => s === 'queued').length === 12;
      },
      { what: 'the healthy sender to finish' },
    );
    const requests = stack.sandbox.requests();
    expect(requests.filter((request) => request.errorCode === 21606)).toHaveLength(1);
    const sent = requests.filter((request) => request.status === 201);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((request) => request.params['From'] === '+14155550100')).toBe(true);
    expect((await stack.store.counts(campaign.name))['sent']).toBe(sent.length);
  });

  it('20003: halts the whole account after one request, and sends everything once credentials are fixed and it is resumed', async () => {
    const holds = await open({ clientAuthToken: 'a-revoked-token-0000' });
    const campaign = spec('bad-creds', '+14155550100');
    await runIngest(stack, {
      file: csvOf(RECIPIENTS),
      spec: campaign,
      rejectedPath: join(tmpdir(), 'h4.csv'),
      chunkSize: 10,
    });

    await waitFor(() => held.length === 1, { what: 'the halt' });
    await sleep(1000);
    expect(stack.sandbox.requests().map((request) => request.status)).toEqual([401]);
    expect(held[0]?.hold).toMatchObject({ state: 'halted', scope: 'account', code: '20003' });
    expect(await holds.holdOf('p19995550000')).toMatchObject({ scope: 'account' });
    expect(Object.values(await ledgerStates(stack, campaign))).toEqual(['queued', 'queued', 'queued']);

    // The operator fixes the account (here: Twilio now accepts the token the workers use) and resumes.
    const { port } = stack.sandbox;
    await stack.sandbox.close();
    const fixed: Sandbox = await startSandbox({
      accountSid: TEST_ACCOUNT_SID,
      authToken: 'a-revoked-token-0000',
      port,
    });
    try {
      expect(await holds.resume('account')).toMatchObject({ code: '20003' });
      await promoteHeldJobs(stack.connection, stack.keys, stack.store, undefined);
      await waitForFinished(stack.store, campaign.name);
      expect(fixed.requests().map((request) => request.status)).toEqual([201, 201, 201]);
      expect(Object.values(await ledgerStates(stack, campaign))).toEqual(['sent', 'sent', 'sent']);
    } finally {
      await fixed.close();
    }
  });
});
