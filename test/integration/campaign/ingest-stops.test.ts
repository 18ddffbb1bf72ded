import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import { buildCampaignSpec } from '../../../src/cli/campaign-options.js';
import type { CampaignSpec } from '../../../src/domain/campaign.js';
import { readIngestState } from '../../../src/ingest/ingest-lease.js';
import { IngestError, runIngest } from '../../../src/ingest/run-ingest.js';
import { CampaignStore } from '../../../src/queue/campaign-store.js';
import { type Keys, makeKeys } from '../../../src/store/keys.js';
import { Ledger } from '../../../src/store/ledger.js';
import { connectRedis } from '../../../src/redis/redis-connection.js';
import { deleteKeys, testRedisUrl, uniquePrefix } from '../../helpers/stack.js';

/** 3,000 rows, every third one refused: enough refused rows that the rejected file is written during the ingest. */
function writeRecipients(dir: string): string {
  const lines = ['phone,name'];
  for (let index = 0; index < 3000; index++) {
    lines.push(index % 3 === 0 ? `not-a-number-${index},Bad` : `+1212${String(2_000_000 + index)},N${index}`);
  }
  const path = join(dir, 'stops.csv');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('an ingest that cannot write its rejected file', () => {
  let connection: Redis;
  let keys: Keys;
  let dir: string;
  let spec: CampaignSpec;

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('ingest-stops'));
    dir = mkdtempSync(join(tmpdir(), 'herald-ingest-stops-'));
    const built = buildCampaignSpec(
      {
        campaign: 'full-disk',
        from: ['+14155550100'],
        body: 'Hi {{name}}',
        media: [],
        toColumn: 'phone',
        // Not about the compliance rules: sent at any hour.
        transactional: true,
      },
      new Date(),
    );
    if (!built.ok) throw new Error(built.reason);
    spec = built.spec;
  });

  afterAll(async () => {
    await deleteKeys(connection, keys.prefix);
    await connection.quit();
  });

  it('fails with one line, keeps the rejected count, shows the stop in status, and a re-run completes it', async () => {
    const file = writeRecipients(dir);
    const deps = { connection, keys, store: new CampaignStore(connection, keys), ledger: new Ledger(connection, keys) };
    const run = (rejectedPath: string) => runIngest(deps, { file, spec, rejectedPath, chunkSize: 100 });

    // /dev/full answers every write with ENOSPC, as a full disk does.
    const error = await run('/dev/full').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IngestError);
    const message = (error as Error).message;
    expect(message).toMatch(
      /^cannot write \/dev\/full: no space left on device \(ENOSPC\); the ingest stopped before the end of stops\.csv \(the rows before were queued\): make room or give --rejected another path, and run the same command again to finish the campaign$/,
    );
    const record = await deps.store.get(spec.name);
    expect(record?.ingest).toBe('running');
    expect(await readIngestState(connection, keys, spec.name, record!.ingest)).toMatchObject({
      state: 'stopped',
      file: 'stops.csv',
      reason: expect.stringContaining('no space left on device (ENOSPC)'),
    });
    const stoppedCounts = await deps.store.counts(spec.name);
    expect(stoppedCounts['rejected']).toBeGreaterThanOrEqual(500);
    expect(stoppedCounts['queued']).toBeLessThan(2000);

    const rejectedPath = join(dir, 'full-disk.rejected.csv');
    const summary = await run(rejectedPath);
    expect(summary).toMatchObject({ rows: 3000, rejected: 1000, rejectedPath });
    expect(summary.queued + summary.alreadyInCampaign).toBe(2000);
    const counts = await deps.store.counts(spec.name);
    expect([counts['queued'], counts['rejected']]).toEqual([2000, 1000]);
    expect(await readIngestState(connection, keys, spec.name, (await deps.store.get(spec.name))!.ingest)).toEqual({
      state: 'done',
    });
    expect(readFileSync(rejectedPath, 'utf8').trim().split('\n')).toHaveLength(1001);
  });
});
