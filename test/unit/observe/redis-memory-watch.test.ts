import { describe, expect, it } from '@jest/globals';

import { RedisMemoryWatch } from '../../../src/observe/redis-memory-watch.js';
import type { RedisMemory } from '../../../src/redis/redis-memory.js';

const memory = (full: boolean): RedisMemory => ({
  maxBytes: 100,
  usedBytes: full ? 101 : 50,
  policy: 'noeviction',
  full,
});

describe('RedisMemoryWatch', () => {
  it('reports each episode once, when it begins and when it ends, and ignores reads that fail', async () => {
    const answers: (RedisMemory | Error)[] = [
      memory(false),
      memory(true),
      memory(true),
      new Error('gone'),
      memory(false),
    ];
    const seen: string[] = [];
    const watch = new RedisMemoryWatch({
      read: async () => {
        const answer = answers.shift()!;
        if (answer instanceof Error) throw answer;
        return answer;
      },
      intervalMs: 60_000,
      onFull: () => seen.push('full'),
      onRoom: () => seen.push('room'),
    });
    const states: boolean[] = [];
    for (let read = 0; read < 5; read++) {
      await watch.check();
      states.push(watch.full);
    }
    expect(states).toEqual([false, true, true, true, false]);
    expect(seen).toEqual(['full', 'room']);
  });
});
