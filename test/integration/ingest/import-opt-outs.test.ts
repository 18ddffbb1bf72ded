import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import { importOptOuts } from '../../../src/ingest/import-opt-outs.js';
import type { E164 } from '../../../src/domain/e164.js';
import { type Keys, makeKeys } from '../../../src/store/keys.js';
import { OptOutList } from '../../../src/compliance/opt-out-list.js';
import { connectRedis } from '../../../src/redis/redis-connection.js';
import { deleteKeys, testRedisUrl, uniquePrefix } from '../../helpers/stack.js';

describe('importOptOuts', () => {
  let connection: Redis;
  let keys: Keys;
  let list: OptOutList;
  const dir = mkdtempSync(join(tmpdir(), 'herald-optouts-'));

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('optouts-import'));
    list = new OptOutList(connection, keys);
  });

  afterAll(async () => {
    await deleteKeys(connection, keys.prefix);
    await connection.quit();
  });

  it('adds each number across batches, keeps earlier records, and reports bad rows by line', async () => {
    // Already opted out by a reply: the import must not overwrite what that record says.
    await list.add('+14155550101' as E164, { source: 'reply', text: 'STOP', sender: '+14155550100' });
    const rows = [
      'Name, Mobile Phone ',
      'a,+14155550101',
      'b,+14155550102',
      'c,nope',
      '"d","+1 (415) 555-0103"',
      '',
      'e,+14155550102',
      'f,"unterminated',
    ];
    const path = join(dir, 'list.csv');
    writeFileSync(path, `${rows.join('\n')}\n`);
    const bad: string[] = [];
    const summary = await importOptOuts(connection, keys, path, {
      column: 'mobile_phone',
      note: 'old provider',
      batchSize: 2,
      onBadRow: (line, reason) => bad.push(`${line}: ${reason}`),
    });
    expect(summary).toEqual({ added: 2, present: 2, bad: 2 });
    expect(bad).toEqual(['4: invalid number: nope (not a number)', expect.stringMatching(/^8: /)]);
    expect(await list.recordOf('+14155550101' as E164)).toMatchObject({ source: 'reply', text: 'STOP' });
    expect(await list.recordOf('+14155550103' as E164)).toEqual({
      at: expect.any(Number),
      source: 'import',
      note: 'old provider',
    });
    const numbers: string[] = [];
    for await (const { number } of list.entries()) numbers.push(number);
    expect(numbers.sort()).toEqual(['+14155550101', '+14155550102', '+14155550103']);
  });

  it('refuses a file without the column in one line, naming the columns it has', async () => {
    const path = join(dir, 'nocolumn.csv');
    writeFileSync(path, 'name,email\nA,a@example.com\n');
    await expect(importOptOuts(connection, keys, path, { column: 'phone', onBadRow: () => undefined })).rejects.toThrow(
      `${path} has no column "phone" (its columns: "name", "email"); pass --column`,
    );
  });
});
