import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import type { CampaignName } from '../../src/domain/campaign.js';
import { LEASE_MS, readIngestState } from '../../src/ingest/ingest-lease.js';
import { makeKeys } from '../../src/store/keys.js';
import { connectRedis } from '../../src/redis/redis-connection.js';
import { HERALD_BIN, spawnNode } from '../helpers/processes.js';
import { deleteKeys, testRedisUrl, uniquePrefix } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait-for.js';

const campaign = 'killed' as CampaignName;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('kill -9 of the herald send a user sees', () => {
  let connection: Redis;
  const prefix = uniquePrefix('ingest-kill');
  const keys = makeKeys(prefix);
  const env = { REDIS_URL: testRedisUrl(), HERALD_PREFIX: prefix };
  let ingestPid: number | undefined;

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
  });
  afterAll(async () => {
    // Only if the test failed: the child it found must not outlive it.
    if (ingestPid !== undefined && isAlive(ingestPid)) process.kill(ingestPid, 'SIGKILL');
    await deleteKeys(connection, prefix);
    await connection.quit();
  });

  it('stops its child too, and status shows the ingest stopped before the end of the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-ingest-kill-'));
    const rows = Array.from({ length: 20_000 }, (_, index) => `+1212${String(2_000_000 + index)},N${index}`);
    const file = join(dir, 'long.csv');
    writeFileSync(file, `phone,name\n${rows.join('\n')}\n`);
    // One row per round trip, so that the ingest is still reading when it is killed.
    const send = spawnNode(
      [HERALD_BIN, 'send', file, '--campaign', campaign, '--from', '+14155550100', '--body', 'Hi {{name}}'].concat([
        // Not about the compliance rules: it must send at any hour.
        '--transactional',
        '--chunk-size',
        '1',
      ]),
      env,
    );
    await waitFor(async () => Number(await connection.hget(keys.ingest(campaign), 'line')) > 1, {
      what: 'the ingest to queue rows',
      timeout: 30_000,
      every: 50,
    });
    ingestPid = Number(await connection.hget(keys.ingest(campaign), 'pid'));
    // bin/herald.js runs `send` in a child with the heap flags it needs: the ingest is that child.
    expect(ingestPid).not.toBe(send.child.pid);
    expect(isAlive(ingestPid)).toBe(true);

    send.child.kill('SIGKILL');
    await send.exited;
    await waitFor(() => !isAlive(ingestPid!), {
      what: 'the ingesting child to end with its parent',
      timeout: 10_000,
      every: 50,
    });
    const queued = Number(await connection.hget(keys.counts(campaign), 'queued'));
    expect(queued).toBeLessThan(20_000);

    await waitFor(async () => (await readIngestState(connection, keys, campaign, 'running')).state === 'stopped', {
      what: 'status to see the lease run out',
      timeout: LEASE_MS + 5000,
      every: 50,
    });
    const status = spawnNode([HERALD_BIN, 'status', campaign], env);
    expect(await status.exited).toEqual({ code: 0, signal: null });
    // No worker runs here, so status says nothing is sent, and then why the file was not read to its end.
    expect(status.output()).toMatch(
      new RegExp(
        `^killed: not sending: no worker has ever been seen — .*\\n(.*\\n)*` +
          ` {2}file {6}ingest stopped before the end of long\\.csv \\(read to line [\\d,]+ at least\\): ` +
          `its herald send ended \\(process ${ingestPid} on .+\\); run the same herald send again to finish it\\n`,
      ),
    );
    expect(Number(await connection.hget(keys.counts(campaign), 'queued'))).toBe(queued);
  });
});
