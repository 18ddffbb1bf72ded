import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from '@jest/globals';

import type { CampaignSpec } from '../../../src/domain/campaign.js';
import { runIngest } from '../../../src/ingest/run-ingest.js';
import { readLedger } from '../../../src/store/read-ledger.js';
import { chainOf, NO_GROUPS, type RateChain } from '../../../src/domain/rate-group.js';
import { parseSender, senderId } from '../../../src/domain/sender.js';
import { parseRateGroupsFile } from '../../../src/domain/rate-group-file.js';
import { Holds } from '../../../src/rate/holds.js';
import { RateGroupsStore } from '../../../src/rate/rate-groups-store.js';
import { readRateOverview } from '../../../src/rate/rate-overview.js';
import { promoteHeldJobs } from '../../../src/rate/promote-held-jobs.js';
import { type Sandbox, startSandbox } from '../../../src/sandbox/index.js';
import type { SendEventMap } from '../../../src/observe/send-events.js';
import { type Stack, type StackOptions, startStack, TEST_ACCOUNT_SID, waitForFinished } from '../../helpers/stack.js';
import { testSpec } from '../../helpers/campaign.js';
import { countDelayedJobs } from '../../helpers/delayed-jobs.js';
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

/** Resolves once `count` jobs of the stack wait put back (see countDelayedJobs): none can be sent before it is due. */
async function waitForDelayed(stack: Stack, count: number, what: string): Promise<void> {
  await waitFor(async () => (await countDelayedJobs(stack.connection, stack.keys.prefix)) === count, {
    what,
    detail: () => countDelayedJobs(stack.connection, stack.keys.prefix),
  });
}

/** A sender's chain with no groups configured: the sender alone. */
function chainFor(from: string): RateChain {
  const parsed = parseSender(from);
  if (!parsed.ok) throw new Error(parsed.reason);
  return chainOf(NO_GROUPS, parsed.sender);
}

const only = (id: string) => (sender: Parameters<typeof senderId>[0]) => senderId(sender) === id;

describe('senders held or halted by Twilio’s answer', () => {
  let stack: Stack;
  const held: SendEventMap['held'][0][] = [];
  const open = async (options: StackOptions) => {
    stack = await startStack('holds', { concurrency: 1, ...options });
    held.length = 0;
    stack.events.on('held', (event) => held.push(event));
    return new Holds(stack.connection, stack.keys);
  };
  afterEach(async () => stack.close());

  it('63038: holds the account in every process until the cap resets, then sends again by itself, using no attempts', async () => {
    // One attempt per job: a wait that used an attempt would fail the recipient.
    const holds = await open({ attempts: 1, dailyCapHoldMs: 2500 });
    stack.sandbox.setFaults({ dailyCap: 1 });
    const campaign = spec('capped', '+14155550100');
    await runIngest(stack, {
      file: csvOf(RECIPIENTS),
      spec: campaign,
      rejectedPath: join(tmpdir(), 'h1.csv'),
      chunkSize: 10,
    });

    await waitFor(() => held.length === 1, { what: 'the hold' });
    const heldAt = Date.now();
    // The cap is the account's at Twilio (the table of Twilio's errors): every send waits, not only this sender's.
    const hold = await holds.accountHold();
    expect(hold).toMatchObject({ state: 'held', code: '63038' });
    expect(hold?.state === 'held' && hold.until - heldAt).toBeGreaterThan(2000);
    expect(await holds.holdOnChain(chainFor('+14155550199'))).toMatchObject({ level: 'account' });
    expect(held[0]).toMatchObject({
      campaign: campaign.name,
      subject: 'account',
      level: 'account',
      hold: { code: '63038' },
    });
    // The day turns at Twilio while the account is held; nothing more is asked before the hold ends.
    stack.sandbox.setFaults({});
    await waitForDelayed(stack, 2, 'the two recipients left to wait out the hold');
    const during = stack.sandbox.requests();
    expect(during.map((request) => request.status)).toEqual([201, 429]);
    expect(during[1]?.errorCode).toBe(63038);
    expect(Object.values(await ledgerStates(stack, campaign)).sort()).toEqual(['queued', 'queued', 'sent']);

    await waitForFinished(stack.store, campaign.name, 20_000);
    const all = stack.sandbox.requests();
    expect(all.map((request) => request.status)).toEqual([201, 429, 201, 201]);
    expect(all[2]!.receivedAt).toBeGreaterThanOrEqual(hold?.state === 'held' ? hold.until - 50 : Infinity);
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
    await waitForDelayed(stack, 3, 'every recipient to wait out the halt');
    expect(stack.sandbox.requests().map((request) => request.errorCode)).toEqual([21212]);
    expect(held[0]).toMatchObject({
      subject: 'p15005550001',
      level: 'sender',
      hold: { state: 'halted', code: '21212' },
    });
    expect(Object.values(await ledgerStates(stack, campaign))).toEqual(['queued', 'queued', 'queued']);
    expect(await stack.store.counts(campaign.name)).toMatchObject({ queued: 3, sent: 0, failed: 0, unknown: 0 });

    // Resumed with the cause still there: one more request, and the sender is halted again.
    const chain = chainFor('+15005550001');
    expect(await holds.lift(chain.tag, chain.links[0]!.id)).toMatchObject({ state: 'halted', code: '21212' });
    expect(await promoteHeldJobs(stack.connection, stack.keys, stack.store, only('p15005550001'))).toBe(1);
    await waitFor(() => held.length === 2, { what: 'the second halt' });
    await waitForDelayed(stack, 3, 'every recipient to wait out the second halt');
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
    await waitForDelayed(stack, 3, 'every recipient to wait out the halt');
    expect(stack.sandbox.requests().map((request) => request.status)).toEqual([401]);
    expect(held[0]).toMatchObject({ subject: 'account', level: 'account', hold: { state: 'halted', code: '20003' } });
    expect(await holds.accountHold()).toMatchObject({ state: 'halted', code: '20003' });
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
      expect(await holds.liftAccount()).toMatchObject({ code: '20003' });
      await promoteHeldJobs(stack.connection, stack.keys, stack.store, () => true);
      await waitForFinished(stack.store, campaign.name);
      expect(fixed.requests().map((request) => request.status)).toEqual([201, 201, 201]);
      expect(Object.values(await ledgerStates(stack, campaign))).toEqual(['sent', 'sent', 'sent']);
    } finally {
      await fixed.close();
    }
  });
});

describe('a group’s daily cap', () => {
  let stack: Stack;
  afterEach(async () => stack.close());

  it('holds the group once its count is reached, using no attempts, says so once, and shows it; the rest waits for the reset', async () => {
    stack = await startStack('caps', { concurrency: 2, attempts: 1 });
    const held: SendEventMap['held'][0][] = [];
    stack.events.on('held', (event) => held.push(event));
    const parsed = parseRateGroupsFile(
      JSON.stringify({
        groups: [
          { name: 'acme', kind: 'brand', dailyCap: { segments: 3 } },
          { name: 'acme-10dlc', kind: 'pool', parent: 'acme', limit: '50/s', memberLimit: 'none' },
        ],
        senders: [
          { sender: '+14155550100', group: 'acme-10dlc' },
          { sender: '+14155550101', group: 'acme-10dlc' },
        ],
      }),
    );
    if (!parsed.ok) throw new Error(parsed.reason);
    await new RateGroupsStore(stack.connection, stack.keys).apply(parsed.groups);
    // The workers read the groups again when a command tells them; here, at once.
    await stack.workers.follow();
    const campaign = testSpec({
      campaign: 'capped-brand',
      from: ['+14155550100', '+14155550101'],
      body: 'Hi {{name}}',
    });
    const numbers = Array.from({ length: 6 }, (_, index) => `+1415555${String(300 + index).padStart(4, '0')}`);
    await runIngest(stack, {
      file: csvOf(numbers),
      spec: campaign,
      rejectedPath: join(tmpdir(), 'c1.csv'),
      chunkSize: 10,
    });

    await waitFor(() => held.length === 1, { what: 'the cap' });
    await waitForDelayed(stack, 3, 'the three recipients past the cap to wait for the reset');
    // The sends that took the cap's three may still be on their way while the others are put back: let them settle.
    await waitFor(async () => (await stack.store.counts(campaign.name)).sent === 3, {
      what: 'the three sends within the cap to settle',
      detail: () => stack.store.counts(campaign.name),
    });
    expect(held[0]).toMatchObject({ subject: 'acme', level: 'brand', hold: { state: 'held', code: 'daily-cap' } });
    // Three went, from either number; the others wait queued, no attempt used and nothing asked of Twilio.
    expect(stack.sandbox.requests().map((request) => request.status)).toEqual([201, 201, 201]);
    expect(await stack.store.counts(campaign.name)).toMatchObject({ queued: 6, sent: 3, failed: 0, unknown: 0 });
    const overview = await readRateOverview(stack.connection, stack.keys, stack.store);
    expect(overview.groups.find((group) => group.name === 'acme')).toMatchObject({
      dailyCap: { segments: 3, used: 3 },
      hold: { state: 'held', code: 'daily-cap' },
    });
    expect(overview.senders.map((row) => row.hold?.subject)).toEqual(['acme', 'acme']);

    // The day turns (here: the count is cleared and the hold lifted by hand, as the reset would).
    const key = stack.keys.rateChain('g:acme');
    await stack.connection.hset(key, 'g:acme:used', 0);
    await new Holds(stack.connection, stack.keys).lift('g:acme', 'g:acme');
    await promoteHeldJobs(stack.connection, stack.keys, stack.store, () => true);
    await waitForFinished(stack.store, campaign.name, 20_000);
    expect(await stack.store.counts(campaign.name)).toMatchObject({ sent: 6, failed: 0, unknown: 0 });
    expect(held).toHaveLength(1);
  });
});
