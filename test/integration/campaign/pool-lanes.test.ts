import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from '@jest/globals';

import { type CampaignSpec } from '../../../src/domain/campaign.js';
import { parseRateGroupsFile } from '../../../src/domain/rate-group-file.js';
import { chainOf } from '../../../src/domain/rate-group.js';
import { parseSender, senderId } from '../../../src/domain/sender.js';
import { runIngest } from '../../../src/ingest/run-ingest.js';
import { Holds } from '../../../src/rate/holds.js';
import { promoteHeldJobs } from '../../../src/rate/promote-held-jobs.js';
import { RateGroupsStore } from '../../../src/rate/rate-groups-store.js';
import { readReportRows } from '../../../src/report/report-rows.js';
import { scanKeys } from '../../../src/queue/scan-keys.js';
import { type Stack, startStack, waitForFinished } from '../../helpers/stack.js';
import { testSpec } from '../../helpers/campaign.js';

/** A 10DLC pool of numbers with no limit of their own (the pool's rate is theirs), and a toll-free number with its 3/s. */
const POOL = Array.from({ length: 40 }, (_, index) => `+1415555${String(1000 + index)}`);
const TOLL_FREE = '+18005550100';
const RECIPIENTS = Array.from({ length: 120 }, (_, index) => `+1212555${String(2000 + index)}`);

function senderIdOf(from: string): string {
  const parsed = parseSender(from);
  if (!parsed.ok) throw new Error(parsed.reason);
  return senderId(parsed.sender);
}

function csvOf(numbers: readonly string[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'herald-lanes-')), 'r.csv');
  writeFileSync(path, ['phone,name', ...numbers.map((to) => `${to},Ann`)].join('\n'));
  return path;
}

/** The campaign's BullMQ queues, by the names their keys carry (`<prefix>:{<tag>}<campaign>~<lane>:<part>`). */
async function queuesOf(stack: Stack, spec: CampaignSpec): Promise<string[]> {
  const names = new Set<string>();
  for await (const key of scanKeys(stack.connection, `${stack.keys.prefix}:{*}${spec.name}~*:*`)) {
    names.add(/\}([^:]*):/.exec(key)![1]!);
  }
  return [...names].sort();
}

async function reportOf(stack: Stack, spec: CampaignSpec) {
  const record = await stack.store.get(spec.name);
  const rows = [];
  for await (const row of readReportRows(stack.connection, stack.keys, record!)) rows.push(row);
  return rows;
}

describe('a campaign over a pool of numbers', () => {
  let stack: Stack;

  afterEach(async () => {
    await stack?.close();
  });

  it('waits in one queue per limit, not per number, and sends each recipient from the number it was given', async () => {
    stack = await startStack('lanes', { concurrency: 50 });
    const parsed = parseRateGroupsFile(
      JSON.stringify({
        groups: [
          { name: 'acme-10dlc', kind: 'pool', limit: '400/s', memberLimit: 'none', senders: POOL },
          { name: 'toll-free', kind: 'pool', senders: [TOLL_FREE] },
        ],
      }),
    );
    if (!parsed.ok) throw new Error(parsed.reason);
    await new RateGroupsStore(stack.connection, stack.keys).apply(parsed.groups);
    await stack.workers.follow();

    // Both groups held, so every recipient is still queued when the queues and the report are read.
    const holds = new Holds(stack.connection, stack.keys);
    const hold = { state: 'halted', code: '21212', reason: 'held by the test' } as const;
    for (const from of [POOL[0]!, TOLL_FREE]) {
      const parsedSender = parseSender(from);
      if (!parsedSender.ok) throw new Error(parsedSender.reason);
      const chain = chainOf(parsed.groups, parsedSender.sender);
      await holds.hold(chain, chain.links.at(-1)!, hold);
    }
    const spec = testSpec({ campaign: 'pool', from: [...POOL, TOLL_FREE], body: 'Hi {{name}}' });
    await runIngest(stack, { file: csvOf(RECIPIENTS), spec, rejectedPath: join(tmpdir(), 'pool.csv'), chunkSize: 50 });

    expect(await queuesOf(stack, spec)).toEqual(['pool~g.acme-10dlc', 'pool~t18005550100']);
    const queued = await reportOf(stack, spec);
    expect(queued).toHaveLength(RECIPIENTS.length);
    // Each queued row names its own number, read back from its job in the pool's shared queue.
    const assigned = new Map(queued.map((row) => [row.number, row.sender]));
    expect(new Set(assigned.values()).size).toBeGreaterThan(POOL.length / 2);
    expect(queued.every((row) => row.status === 'queued' && row.line !== '' && row.channel === 'sms')).toBe(true);
    expect(stack.sandbox.requests()).toEqual([]);

    // Lifted: every recipient is sent, from the number the report named while it waited.
    await holds.lift('g:acme-10dlc', 'g:acme-10dlc');
    await holds.lift('g:toll-free', 'g:toll-free');
    await promoteHeldJobs(stack.connection, stack.keys, stack.store, () => true);
    await waitForFinished(stack.store, spec.name, 30_000);
    const from = new Map(stack.sandbox.requests().map((request) => [request.params['To'], request.params['From']]));
    expect(from.size).toBe(RECIPIENTS.length);
    const sent = await reportOf(stack, spec);
    for (const row of sent) {
      expect(row.status).toBe('sent');
      expect(row.sender).toBe(assigned.get(row.number));
      expect(senderIdOf(String(from.get(row.number)))).toBe(row.sender);
    }
  });
});
