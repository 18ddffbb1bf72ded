import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from '@jest/globals';

import type { CampaignName } from '../../../src/domain/campaign.js';
import { runIngest } from '../../../src/ingest/run-ingest.js';
import { testSpec } from '../../helpers/campaign.js';
import { type Stack, startStack } from '../../helpers/stack.js';

/** A campaign of one recipient, scheduled a day ahead so that nothing of it is sent during the test. */
async function scheduleCampaign(stack: Stack, campaign: string): Promise<CampaignName> {
  const file = join(mkdtempSync(join(tmpdir(), 'herald-let-go-')), 'r.csv');
  writeFileSync(file, 'phone\n+14155550123\n');
  const spec = testSpec({ campaign, from: ['+14155550100'], body: 'Hi' });
  await runIngest(stack, {
    file,
    spec,
    rejectedPath: join(tmpdir(), `${campaign}.rejected.csv`),
    startAt: new Date(Date.now() + 86_400_000),
    chunkSize: 10,
  });
  return spec.name;
}

describe('the workers let go of an active campaign that has ended without telling them', () => {
  let stack: Stack | undefined;

  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('lets go of a finished campaign and a closed cancelled one, and keeps an open cancelled one and a live one', async () => {
    stack = await startStack('let-go');
    const finished = await scheduleCampaign(stack, 'finished');
    const closed = await scheduleCampaign(stack, 'closed');
    const open = await scheduleCampaign(stack, 'open');
    const live = await scheduleCampaign(stack, 'live');
    await stack.workers.follow();
    expect(stack.workers.campaigns.sort()).toEqual(['closed', 'finished', 'live', 'open']);

    // What a settle that ended a campaign writes, as if the process that wrote it had died before it could say so
    // (or as if its settle was not confirmed by a replica).
    const now = new Date().toISOString();
    await stack.connection.hset(stack.keys.campaign(finished), { state: 'finished', finishedAt: now });
    await stack.connection.hset(stack.keys.campaign(closed), { state: 'cancelled', finishedAt: now });
    // Cancelled with a send still in flight: its Workers must stay to settle it.
    await stack.connection.hset(stack.keys.campaign(open), { state: 'cancelled' });

    await stack.workers.follow();
    expect(stack.workers.campaigns.sort()).toEqual([open, live].sort());
    expect((await stack.store.activeNames()).sort()).toEqual([open, live].sort());
  });
});
