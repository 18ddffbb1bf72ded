import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import { connectRedis } from '../../../src/redis/redis-connection.js';
import { loadLua } from '../../../src/store/lua-loader.js';
import { testRedisUrl } from '../../helpers/stack.js';

const LUA_DIR = join(import.meta.dirname, '..', '..', '..', 'src', 'store', 'lua');

describe("herald's Lua scripts", () => {
  let connection: Redis;
  const names = readdirSync(LUA_DIR)
    .filter((file) => file.endsWith('.lua'))
    .map((file) => file.replace(/-\d+\.lua$/, ''));

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
  });

  afterAll(async () => {
    await connection.quit();
  });

  it.each(names)('%s compiles in Redis with its includes, and its header states its keys', async (name) => {
    const { source, numberOfKeys } = loadLua(name);
    expect(await connection.script('LOAD', source)).toMatch(/^[0-9a-f]{40}$/);
    // The header names each key the file name counts, and no more.
    const stated = new Set(source.match(/KEYS\[\d+\]/g));
    expect([...stated].sort()).toEqual(Array.from({ length: numberOfKeys }, (_, index) => `KEYS[${index + 1}]`));
  });
});
