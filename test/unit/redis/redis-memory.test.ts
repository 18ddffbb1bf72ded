import { describe, expect, it } from '@jest/globals';

import {
  describeMemory,
  formatBytes,
  isOutOfMemoryError,
  parseMemoryInfo,
  RedisOutOfMemoryError,
} from '../../../src/redis/redis-memory.js';

const info = (fields: Record<string, string | number>) =>
  `# Memory\r\n${Object.entries(fields)
    .map(([name, value]) => `${name}:${value}`)
    .join('\r\n')}\r\n`;

describe('parseMemoryInfo', () => {
  it('is full when the memory Redis counts is over maxmemory, as Redis decides it', () => {
    const base = { used_memory: 2_000_000, maxmemory: 1_500_000, maxmemory_policy: 'noeviction' };
    expect(parseMemoryInfo(info({ ...base, mem_not_counted_for_evict: 0 }))).toEqual({
      maxBytes: 1_500_000,
      usedBytes: 2_000_000,
      policy: 'noeviction',
      full: true,
    });
    // Replication and AOF buffers are not counted against the limit.
    expect(parseMemoryInfo(info({ ...base, mem_not_counted_for_evict: 600_000 })).full).toBe(false);
  });

  it('is never full without a maxmemory', () => {
    expect(parseMemoryInfo(info({ used_memory: 9e9, maxmemory: 0, maxmemory_policy: 'noeviction' })).full).toBe(false);
  });
});

describe('isOutOfMemoryError', () => {
  const oom = new Error("OOM command not allowed when used memory > 'maxmemory'.");
  it('recognises Redis’s answer, also quoted in a script’s error and behind a discarded MULTI', () => {
    expect(isOutOfMemoryError(oom)).toBe(true);
    expect(isOutOfMemoryError(new Error(`${oom.message} script: 1e9b, on @user_script:119.`))).toBe(true);
    const aborted = Object.assign(new Error('EXECABORT Transaction discarded because of previous errors.'), {
      previousErrors: [oom],
    });
    expect(isOutOfMemoryError(aborted)).toBe(true);
    expect(isOutOfMemoryError(new Error('EXECABORT Transaction discarded'))).toBe(false);
    expect(isOutOfMemoryError(new Error('READONLY You can’t write against a read only replica.'))).toBe(false);
    expect(isOutOfMemoryError('OOM command not allowed')).toBe(false);
  });
});

describe('RedisOutOfMemoryError', () => {
  it('is one line naming the limit, what was left undone and what to do', () => {
    const memory = { maxBytes: 100 * 1024 * 1024, usedBytes: 101 * 1024 * 1024, policy: 'noeviction', full: true };
    expect(new RedisOutOfMemoryError(memory, 'promo was not paused').message).toBe(
      'Redis is out of memory (maxmemory 100 MB, 101 MB used, policy noeviction): promo was not paused; free memory ' +
        'in Redis or raise its maxmemory, then run the command again',
    );
    expect(describeMemory(undefined)).toBe('maxmemory reached');
    expect([formatBytes(1), formatBytes(1536), formatBytes(5 * 1024 ** 3)]).toEqual(['1 B', '1.5 KB', '5.0 GB']);
  });
});
