import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import type { E164 } from '../../src/domain/e164.js';
import { makeKeys } from '../../src/store/keys.js';
import { OptOutList } from '../../src/compliance/opt-out-list.js';
import { connectRedis } from '../../src/redis/redis-connection.js';
import { HERALD_BIN, spawnNode } from '../helpers/processes.js';
import { deleteKeys, testRedisUrl, uniquePrefix } from '../helpers/stack.js';

const prefix = uniquePrefix('optouts-cli');
const dir = mkdtempSync(join(tmpdir(), 'herald-optouts-cli-'));
let connection: Redis;

async function herald(args: string[]) {
  const run = spawnNode([HERALD_BIN, ...args], { REDIS_URL: testRedisUrl(), HERALD_PREFIX: prefix });
  const { code } = await run.exited;
  return { code, output: run.output() };
}

beforeAll(async () => {
  connection = await connectRedis(testRedisUrl(), { role: 'command' });
});
afterAll(async () => {
  await deleteKeys(connection, prefix);
  await connection.quit();
});

describe('herald optouts', () => {
  it('imports, adds, removes and exports the list, with each entry’s source', async () => {
    const file = join(dir, 'old.csv');
    writeFileSync(file, 'name,mobile\nAnn,+14155550123\nBob,n/a\nCy,(212) 555-0100\n');
    expect(await herald(['optouts', 'import', file, '--column', 'Mobile', '--default-country', 'us'])).toEqual({
      code: 0,
      output: 'line 3: invalid number: n/a (not a number)\n2 added, 0 already on the list, 1 rows refused\n',
    });
    // A STOP reply recorded by a worker, then the operator's own entries.
    await new OptOutList(connection, makeKeys(prefix)).add('+14155550124' as E164, {
      source: 'reply',
      text: '=STOP',
      sender: '+14155550100',
    });
    expect(await herald(['optouts', 'add', '+14155550125', '--note', 'asked by phone'])).toEqual({
      code: 0,
      output: '+14155550125 added to the opt-out list\n',
    });
    expect((await herald(['optouts', 'add', '+14155550123'])).output).toMatch(
      /^\+14155550123 was already on the list \(opted out on \d{4}-\d\d-\d\d by import\); kept as it was\n$/,
    );
    expect((await herald(['optouts', 'remove', '+12125550100'])).output).toBe(
      '+12125550100 removed from the opt-out list\n',
    );
    expect(await herald(['optouts', 'remove', '555'])).toMatchObject({ code: 2 });

    const out = join(dir, 'export.csv');
    expect(await herald(['optouts', 'export', '--out', out])).toEqual({ code: 0, output: `3 numbers → ${out}\n` });
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('number,when,source,text,sender,note');
    expect(lines.slice(1).sort()).toEqual([
      expect.stringMatching(/^\+14155550123,\d{4}-.*Z,import,,,$/),
      // The reply's words are written so a spreadsheet shows them, never runs them.
      expect.stringMatching(/^\+14155550124,\d{4}-.*Z,reply,'=STOP,\+14155550100,$/),
      expect.stringMatching(/^\+14155550125,\d{4}-.*Z,operator,,,asked by phone$/),
    ]);
  });
});
