import { Cluster } from 'ioredis';

import type { RedisClient } from './redis-connection.js';

/**
 * The keys matching `pattern`, by SCAN, in constant memory. On a Redis Cluster every master is scanned: SCAN is
 * answered by one node from its own keys only (the Cluster client sends it to any one of them).
 */
export async function* scanKeys(client: RedisClient, pattern: string, count = 500): AsyncGenerator<string> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      yield* keys;
    } while (cursor !== '0');
  }
}
