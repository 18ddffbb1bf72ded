import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { parse } from 'csv-parse/sync';
import type { Redis } from 'ioredis';

import type { CampaignName } from '../../src/domain/campaign.js';
import type { E164 } from '../../src/domain/e164.js';
import { timeZonesOf } from '../../src/domain/number-time-zones.js';
import { formatSendWindow, localMinuteOfDay, nextOpening } from '../../src/domain/send-window.js';
import { formatZoned } from '../../src/lib/zoned-time.js';
import { CampaignStore } from '../../src/queue/campaign-store.js';
import { type Keys, makeKeys, queueNameOf } from '../../src/store/keys.js';
import { readLedger } from '../../src/store/read-ledger.js';
import { connectRedis } from '../../src/redis/redis-connection.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { HERALD_BIN, readCounter, spawnNode, startWorkerProcess, type WorkerProcess } from '../helpers/processes.js';
import {
  deleteKeys,
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  testRedisUrl,
  uniquePrefix,
  waitForFinished,
} from '../helpers/stack.js';
import { waitFor } from '../helpers/wait-for.js';

const dir = mkdtempSync(join(tmpdir(), 'herald-control-'));
const SENDER = '+14155550100';
const LATER_SENDER = '+14155550101';

function writeCsv(name: string, numbers: readonly string[]): string {
  const path = join(dir, `${name}.csv`);
  writeFileSync(path, ['phone,name', ...numbers.map((number, index) => `${number},N${index}`)].join('\n') + '\n');
  return path;
}

/** `count` San Francisco numbers starting at +1415555<first>. */
const sfNumbers = (first: number, count: number) =>
  Array.from({ length: count }, (_, index) => `+1415555${String(first + index).padStart(4, '0')}`);

describe('operating campaigns from the CLI, with worker processes', () => {
  let connection: Redis;
  let keys: Keys;
  let store: CampaignStore;
  let sandbox: Sandbox;
  let workers: WorkerProcess[] = [];

  const env = () => ({ REDIS_URL: testRedisUrl(), HERALD_PREFIX: keys.prefix, TZ: 'UTC' });
  async function herald(...args: string[]) {
    const run = spawnNode([HERALD_BIN, ...args], env());
    const { code } = await run.exited;
    return { code, output: run.output() };
  }
  async function send(campaign: string, file: string, ...extra: string[]) {
    const result = await herald(
      'send',
      file,
      '--campaign',
      campaign,
      '--from',
      SENDER,
      '--body',
      'Hi {{name}}',
      // Not about the compliance rules: it must send at any hour.
      '--transactional',
      ...extra,
    );
    expect(result).toMatchObject({ code: 0 });
    return result;
  }
  /** Requests the sandbox received for these numbers. */
  const received = (numbers: readonly string[]) => {
    const wanted = new Set(numbers);
    return sandbox.requests().filter((request) => wanted.has(String(request.params['To'])));
  };
  const timesEach = (numbers: readonly string[]) => {
    const counts = new Map<string, number>();
    for (const request of received(numbers)) {
      const to = String(request.params['To']);
      counts.set(to, (counts.get(to) ?? 0) + 1);
    }
    return counts;
  };
  async function reportOf(name: string): Promise<Record<string, string>[]> {
    const result = await herald('report', name);
    expect(result.code).toBe(0);
    return parse(result.output, { columns: true }) as Record<string, string>[];
  }
  async function ledgerStates(name: string) {
    const states: Record<string, number> = {};
    for await (const entry of readLedger(connection, keys, name as CampaignName))
      states[entry.state] = (states[entry.state] ?? 0) + 1;
    return states;
  }

  // One sandbox and two workers for the whole file (each test uses its own campaigns and numbers): starting
  // processes is most of the time a test here takes.
  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('control'));
    store = new CampaignStore(connection, keys);
    sandbox = await startSandbox({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN, latencyMs: 20 });
    const workerEnv = {
      ...env(),
      TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      HERALD_TWILIO_BASE_URL: sandbox.url,
    };
    workers = await Promise.all([startWorkerProcess(workerEnv), startWorkerProcess(workerEnv)]);
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await sandbox.close();
    await deleteKeys(connection, keys.prefix);
    await connection.quit();
  });

  // The scheduled campaign is made first and checked last: its start, 12 s ahead so that a slow `herald send` on a
  // loaded machine returns before it, passes while the tests between run. It has a sender of its own, whose limit the
  // other tests' sends do not set.
  const laterNumbers = sfNumbers(7000, 10);
  let startAt: Date;

  it('--send-at: the campaign waits for that time, nothing sent before', async () => {
    startAt = new Date(Date.now() + 12_000);
    const sent = await herald(
      'send',
      writeCsv('later', laterNumbers),
      '--campaign',
      'later',
      '--from',
      LATER_SENDER,
      '--body',
      'Hi {{name}}',
      '--mps',
      '50',
      '--send-at',
      startAt.toISOString(),
      '--transactional',
    );
    expect(sent).toMatchObject({ code: 0 });
    expect(sent.output).toContain(
      `  scheduled: workers start sending it at ${formatZoned(startAt.getTime(), 'UTC')}; herald status later\n`,
    );
    expect(await store.get('later' as CampaignName)).toMatchObject({ state: 'scheduled' });
    expect(received(laterNumbers)).toHaveLength(0);
  });

  it('pause stops every process sending one campaign while another on the same sender goes on; resume completes it once each', async () => {
    // At 10 a second the first campaign takes 15 s: time enough for the CLI to start on a loaded machine.
    const first = sfNumbers(3000, 150);
    const second = sfNumbers(5000, 20);
    await send('first', writeCsv('first', first), '--mps', '10');
    await waitFor(() => received(first).length >= 10, { what: 'a few sends of the first campaign' });

    const pause = await herald('pause', 'first', '--wait');
    expect(pause).toEqual({ code: 0, output: expect.stringMatching(/^first: paused; .*\nfirst: no sends in flight/) });
    const atPause = received(first).length;
    expect(atPause).toBeLessThan(first.length);
    expect((await store.get('first' as CampaignName))?.state).toBe('paused');

    // Another campaign on the same sender is sent in full while the first stays paused. Its send raises the sender's
    // limit, which every campaign of the sender shares, so that the rest of the first goes quickly once resumed.
    await send('second', writeCsv('second', second), '--mps', '100');
    await waitForFinished(store, 'second' as CampaignName);
    expect(timesEach(second).size).toBe(second.length);
    // That the paused campaign sends nothing can only be seen by waiting: 1.5 s more.
    await sleep(1500);
    expect(received(first).length).toBe(atPause);
    expect((await ledgerStates('first'))['in-flight']).toBeUndefined();

    expect(await herald('resume', 'first')).toEqual({ code: 0, output: 'first: running\n' });
    await waitForFinished(store, 'first' as CampaignName);
    const counts = timesEach(first);
    expect(counts.size).toBe(first.length);
    expect([...counts.values()].every((times) => times === 1)).toBe(true);
    expect(await store.counts('first' as CampaignName)).toMatchObject({ queued: 150, sent: 150, cancelled: 0 });
  });

  it('cancel: nothing more reaches Twilio, queued recipients are counted cancelled, the campaign stays cancelled', async () => {
    const numbers = sfNumbers(6000, 150);
    const file = writeCsv('doomed', numbers);
    await send('doomed', file, '--mps', '10');
    await waitFor(() => received(numbers).length >= 10, { what: 'a few sends' });

    const cancel = await herald('cancel', 'doomed', '--wait');
    expect(cancel).toEqual({
      code: 0,
      output: expect.stringMatching(/^doomed: cancelled; \d+ recipients still queued will not be texted\n/),
    });
    const atCancel = received(numbers).length;
    // That nothing more reaches Twilio can only be seen by waiting: 1.5 s.
    await sleep(1500);
    expect(received(numbers).length).toBe(atCancel);

    const counts = await store.counts('doomed' as CampaignName);
    const states = await ledgerStates('doomed');
    expect(counts['sent']).toBe(atCancel);
    expect(states).toEqual({ sent: atCancel, cancelled: numbers.length - atCancel });
    expect(counts).toMatchObject({ queued: 150, sent: atCancel, cancelled: 150 - atCancel, failed: 0, unknown: 0 });
    const record = await store.get('doomed' as CampaignName);
    expect(record).toMatchObject({
      state: 'cancelled',
      finishedAt: expect.any(String),
      cancelledAt: expect.any(String),
    });
    expect(await connection.sismember(keys.activeCampaigns, 'doomed')).toBe(0);
    // One process exports the Redis-held totals, so the sum over both is the campaign's count.
    const exported = await Promise.all(
      workers.map((worker) =>
        readCounter(worker.metricsPort, 'herald_messages_cancelled_total', { campaign: 'doomed' }),
      ),
    );
    expect(exported[0]! + exported[1]!).toBe(150 - atCancel);
    expect([...timesEach(numbers).values()].every((times) => times === 1)).toBe(true);

    // The report, and the two ways a user might try to bring the campaign back, side by side (each is a CLI).
    const [report, resumed, again] = await Promise.all([
      reportOf('doomed'),
      herald('resume', 'doomed'),
      herald(
        'send',
        file,
        '--campaign',
        'doomed',
        '--from',
        SENDER,
        '--mps',
        '10',
        '--body',
        'Hi {{name}}',
        '--transactional',
      ),
    ]);
    // The report gives every recipient its line, channel and sender, the cancelled ones included.
    expect(report).toHaveLength(150);
    for (const row of report) {
      const line = String(numbers.indexOf(row['number']!) + 2);
      expect(row).toMatchObject({ line, channel: 'sms', sender: 'p14155550100' });
      expect(row['attempts']).toBe(row['status'] === 'cancelled' ? '0' : '1');
    }
    expect(report.filter((row) => row['status'] === 'cancelled')).toHaveLength(150 - atCancel);

    // Neither resume nor running the file again brings it back.
    expect(resumed).toEqual({
      code: 1,
      output: 'herald: campaign doomed is cancelled; it cannot be resumed\n',
    });
    expect(again).toEqual({
      code: 1,
      output: expect.stringMatching(/^herald: campaign doomed was cancelled at .*use a new --campaign name\n$/),
    });
    // And still nothing reaches Twilio after both tries, which only waiting can show: 0.5 s.
    await sleep(500);
    expect(received(numbers).length).toBe(atCancel);
  });

  it('--window: recipients outside it wait, delayed to its next opening; those inside are sent without waiting for them', async () => {
    // London and San Francisco are 7–9 hours apart: a three-hour window around London's present hour is closed in
    // San Francisco whatever the date and time the test runs at.
    const london = ['+447911123456', '+447911123457', '+447911123458'];
    const sf = sfNumbers(8000, 3);
    const now = new Date();
    const londonMinute = localMinuteOfDay('Europe/London', now);
    const window = {
      start: (londonMinute - 60 + 1440) % 1440,
      end: (londonMinute + 120) % 1440,
    };
    await send(
      'windowed',
      writeCsv('windowed', [...sf, ...london]),
      '--mps',
      '20',
      '--window',
      formatSendWindow(window),
    );

    await waitFor(() => timesEach(london).size === london.length, { what: 'London recipients' });
    const queue = new Queue(queueNameOf('windowed' as CampaignName, 'p14155550100'), {
      connection,
      prefix: keys.prefix,
    });
    try {
      // Each San Francisco job waits for the window's opening in the delayed set, where nothing sends it before then.
      await waitFor(async () => (await queue.getDelayedCount()) === sf.length, {
        what: 'the San Francisco jobs to wait for the window',
        detail: () => queue.getJobCounts(),
      });
      expect(received(sf)).toHaveLength(0);
      const delayed = await queue.getDelayed();
      expect(delayed.map((job) => job.id).sort()).toEqual([...sf].sort());
      const opening = nextOpening(window, timeZonesOf(sf[0] as E164), now).getTime();
      for (const job of delayed) {
        // BullMQ scores a delayed job by its due time × 4096 (plus a counter in the low bits). The worker delays it to
        // the opening by Redis's clock, written in its own: on one machine the two differ by a fraction of a round trip.
        const score = Number(await connection.zscore(`${keys.prefix}:${queue.name}:delayed`, job.id!));
        expect(Math.abs(Math.floor(score / 4096) - opening)).toBeLessThanOrEqual(5);
        expect(job.attemptsMade).toBe(0);
      }
    } finally {
      await queue.close();
    }
    expect(await store.counts('windowed' as CampaignName)).toMatchObject({ queued: 6, sent: 3, failed: 0 });
    // Those waiting for their window have their line, channel and sender in the report, and no attempt yet.
    const waiting = (await reportOf('windowed')).filter((row) => row['status'] === 'queued');
    expect(waiting.map((row) => row['number']).sort()).toEqual([...sf].sort());
    for (const row of waiting) {
      expect(row).toMatchObject({ line: String(sf.indexOf(row['number']!) + 2), channel: 'sms', attempts: '0' });
      expect(row['sender']).toBe('p14155550100');
    }
    expect((await store.get('windowed' as CampaignName))?.state).toBe('running');

    // Status says why nothing more is sent, how many wait and until when, rather than "running".
    const status = await herald('status', 'windowed');
    const opening = nextOpening(window, timeZonesOf(sf[0] as E164), now).getTime();
    expect(status.code).toBe(0);
    expect(status.output).toMatch(
      /^windowed: not sending: every recipient left waits for their sending window — queued 6, sent 3, /,
    );
    expect(status.output).toContain('  workers   2 workers alive\n');
    expect(status.output).toContain(
      `  window    ${formatSendWindow(window)} in each recipient's own time; 3 recipients wait for it, until ` +
        `${formatSendWindow(window).slice(0, 5)} their time: ${formatZoned(opening, 'UTC')}\n`,
    );
  });

  it('herald campaigns lists every campaign, as a table and as JSON', async () => {
    await send('listed', writeCsv('listed', sfNumbers(9000, 5)), '--mps', '50');
    await waitForFinished(store, 'listed' as CampaignName);
    await send('held', writeCsv('held', sfNumbers(9100, 5)), '--send-at', '+1h');
    await herald('pause', 'held');

    const table = await herald('campaigns');
    expect(table.code).toBe(0);
    const lines = table.output.trim().split('\n');
    expect(lines[0]).toMatch(
      /^CAMPAIGN\s+STATE\s+KIND\s+CHANNEL\s+SENDERS\s+QUEUED\s+SENT\s+FAILED\s+UNKNOWN\s+CANCELLED/,
    );
    // Oldest first: the campaigns of earlier tests in this file come before these two.
    expect(lines.at(-2)).toMatch(/^listed\s+finished\s+transactional\s+per row\s+1\s+5\s+5\s+0\s+0\s+0\s/);
    expect(lines.at(-1)).toMatch(/^held\s+paused\s+transactional\s+per row\s+1\s+5\s+0\s+0\s+0\s+0\s/);

    const json = await herald('campaigns', '--json');
    const rows = json.output
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.length).toBe(lines.length - 1);
    expect(rows.slice(-2)).toEqual([
      expect.objectContaining({ name: 'listed', state: 'finished', counts: expect.objectContaining({ sent: 5 }) }),
      expect.objectContaining({
        name: 'held',
        state: 'paused',
        startAt: expect.any(String),
        senders: [{ sender: SENDER }],
      }),
    ]);
  });

  it('every control command fails with one line and a non-zero exit on bad input or an unreachable Redis, and explains itself', async () => {
    expect(await herald('pause', 'nope')).toEqual({ code: 2, output: 'herald: no campaign named nope\n' });
    expect(await herald('cancel', 'bad name')).toMatchObject({
      code: 2,
      output: expect.stringMatching(/^herald: campaign name "bad name" must be/),
    });
    expect(await herald('pause', 'x', '--timeout', 'soon')).toMatchObject({ code: 2 });
    const unreachable = spawnNode([HERALD_BIN, 'campaigns'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect((await unreachable.exited).code).toBe(1);
    expect(unreachable.output()).toMatch(/^herald: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: .*\n$/);
    const commands = ['campaigns', 'pause', 'resume', 'cancel'];
    const helps = await Promise.all(commands.map((command) => herald(command, '--help')));
    for (const [index, command] of commands.entries()) {
      const help = helps[index]!;
      expect({ command, code: help.code }).toEqual({ command, code: 0 });
      expect(help.output).toContain('Example:');
    }
  });
  it('--send-at: workers start the campaign at that time, nobody present', async () => {
    await waitForFinished(store, 'later' as CampaignName, Math.max(startAt.getTime() - Date.now(), 0) + 15_000);
    const arrivals = received(laterNumbers).map((request) => request.receivedAt);
    expect(arrivals).toHaveLength(laterNumbers.length);
    expect(Math.min(...arrivals)).toBeGreaterThanOrEqual(startAt.getTime());
    // On time: the first send leaves within a second of the start.
    expect(Math.min(...arrivals) - startAt.getTime()).toBeLessThan(1000);
    expect(await store.get('later' as CampaignName)).toMatchObject({
      state: 'finished',
      startAt: startAt.toISOString(),
    });
  });
});
