import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { CampaignName } from '../../../src/domain/campaign.js';
import type { E164 } from '../../../src/domain/e164.js';
import { runIngest } from '../../../src/ingest/run-ingest.js';
import { DeleteRefusedError, deleteEndedCampaign, RetentionSweeper } from '../../../src/lifecycle/retention.js';
import { OptOutList } from '../../../src/compliance/opt-out-list.js';
import { testSpec } from '../../helpers/campaign.js';
import { type Stack, startStack, waitForFinished } from '../../helpers/stack.js';

const dir = mkdtempSync(join(tmpdir(), 'herald-retention-'));
const OPTED_OUT = '+15005550004';

describe('deleting ended campaigns', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('retention');
  });
  afterAll(async () => stack.close());

  /** Sends a small campaign to its end through the sandbox (one recipient opts out, as Twilio's test number does). */
  const sendCampaign = async (name: string) => {
    const file = join(dir, `${name}.csv`);
    writeFileSync(file, `phone,name\n+14155557001,A\n+14155557002,B\n${OPTED_OUT},C\nnope,D\n`);
    const spec = testSpec({ campaign: name, from: ['+14155550100'], mps: 100, body: 'Hi {{name}}' });
    await runIngest(stack, { file, spec, rejectedPath: join(dir, `${name}.rejected.csv`), chunkSize: 10 });
    await waitForFinished(stack.store, spec.name);
    return spec.name;
  };
  const keysOf = async () => (await stack.connection.keys(`${stack.keys.prefix}:*`)).sort();

  it('removes a campaign’s keys and queues, and keeps the opt-out list', async () => {
    const before = await keysOf();
    const name = await sendCampaign('old');
    const during = await keysOf();
    expect(during.filter((key) => key.includes('{old')).length).toBeGreaterThan(5);

    await deleteEndedCampaign(stack.connection, stack.keys, stack.store, name);
    const after = await keysOf();
    expect(after.filter((key) => key.includes('old'))).toEqual([]);
    expect(await stack.store.allNames()).not.toContain('old');
    // What is not the campaign's own stays: the opt-out it recorded, the sender's pace.
    expect(await new OptOutList(stack.connection, stack.keys).has(OPTED_OUT as E164)).toBe(true);
    expect(after).toEqual(expect.arrayContaining([stack.keys.optOuts]));
    expect(after.length).toBeGreaterThan(before.length);
  });

  it('refuses a campaign that has not ended', async () => {
    const spec = testSpec({ campaign: 'live', from: ['+14155550100'], body: 'Hi' });
    await stack.store.open(spec, { startAt: new Date(Date.now() + 3_600_000) });
    await expect(deleteEndedCampaign(stack.connection, stack.keys, stack.store, spec.name)).rejects.toThrow(
      new DeleteRefusedError('campaign live is scheduled, not ended; cancel it first: herald cancel live --wait'),
    );
    expect(await stack.store.get(spec.name)).toBeDefined();
  });

  it('lets a worker delete only the campaigns that ended longer ago than the retention age, one worker at a time', async () => {
    const recent = await sendCampaign('recent');
    const aged = await sendCampaign('aged');
    const finishedAt = Date.parse((await stack.store.get(aged))!.finishedAt!);
    const deleted: string[] = [];
    const sweeper = new RetentionSweeper({
      connection: stack.connection,
      keys: stack.keys,
      store: stack.store,
      retentionMs: 86_400_000,
      onDeleted: (name) => deleted.push(name),
    });
    // Another worker's pass holds the lock: this one does nothing.
    await stack.connection.set(stack.keys.retentionSweep, 'other', 'PX', 5000);
    expect(await sweeper.sweep(finishedAt + 2 * 86_400_000)).toEqual([]);
    await stack.connection.del(stack.keys.retentionSweep);

    // A day and a half after "aged" finished, with "recent" made to have finished an hour before that moment.
    await stack.connection.hset(
      stack.keys.campaign(recent as CampaignName),
      'finishedAt',
      new Date(finishedAt + 86_400_000).toISOString(),
    );
    expect(await sweeper.sweep(finishedAt + 1.5 * 86_400_000)).toEqual([aged]);
    expect(deleted).toEqual([aged]);
    expect(await stack.store.allNames()).toEqual(expect.arrayContaining([recent, 'live']));
    expect(await stack.store.allNames()).not.toContain(aged);
    expect(await stack.connection.exists(stack.keys.retentionSweep)).toBe(0);
  });
});
