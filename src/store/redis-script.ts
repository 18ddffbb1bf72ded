import { createHash } from 'node:crypto';

import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';

import { type RedisClient, replicasToWaitFor, replicaWaitMsOf } from '../queue/redis-connection.js';
import { loadLua, type LuaSource } from './lua-loader.js';

export interface RedisScriptOptions {
  /**
   * Writes that must survive a failover: on a Redis Cluster or Sentinel connection that asks for it
   * (HERALD_REPLICA_WAIT_MS), the script is followed by `WAIT <replicas> <ms>` on the same connection, so it resolves
   * only once the replicas hold its writes (or the wait ran out: a replica that is gone or far behind does not stop
   * herald).
   * Redis replicates asynchronously; without this, a master that dies right after answering can take the write with
   * it and its promoted replica would not know, e.g., that a send is already in flight.
   */
  replicated?: boolean;
}

/**
 * One of herald's Lua scripts (src/store/lua/), run by its SHA and loaded on first use (and again after a Redis
 * restart forgets it). Only the store's modules run scripts: each behind one typed function that owns its key
 * order and its arguments' encoding.
 */
export class RedisScript {
  readonly #lua: Omit<LuaSource, 'numberOfKeys'> & { numberOfKeys: number | undefined };
  readonly #sha: string;
  readonly #replicated: boolean;

  /** `lua`: a script as the loader reads it, or its bare source (whose key count is then the caller's word). */
  constructor(lua: LuaSource | string, options: RedisScriptOptions = {}) {
    this.#lua = typeof lua === 'string' ? { name: 'inline', numberOfKeys: undefined, source: lua } : lua;
    this.#sha = createHash('sha1').update(this.#lua.source).digest('hex');
    this.#replicated = options.replicated ?? false;
  }

  /** The script `src/store/lua/<name>-<keys>.lua`. */
  static load(name: string, options: RedisScriptOptions = {}): RedisScript {
    return new RedisScript(loadLua(name), options);
  }

  async run(client: RedisClient, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    return (await this.runConfirmed(client, keys, args)).result;
  }

  /**
   * Runs the script, and says whether its writes are known to be on a replica: false when a replicated script's WAIT
   * ran out (or failed) with no replica confirming them, so that a failover now could still lose them. True when
   * there was nothing to wait for (one Redis, HERALD_REPLICA_WAIT_MS 0, a master with no replicas).
   */
  async runConfirmed(
    client: RedisClient,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<{ result: unknown; confirmed: boolean }> {
    // The file name states the key count; a caller passing another would shift every KEYS[n] the script reads.
    if (this.#lua.numberOfKeys !== undefined && keys.length !== this.#lua.numberOfKeys)
      throw new Error(`Lua script ${this.#lua.name} takes ${this.#lua.numberOfKeys} keys, not ${keys.length}`);
    const result = await this.#runBySha(client, keys, args);
    const waitMs = this.#replicated ? replicaWaitMsOf(client) : 0;
    if (waitMs > 0 && client instanceof Cluster && keys[0] !== undefined)
      return { result, confirmed: await waitForReplicas(client, keys[0], waitMs) };
    // Behind Sentinel: the master's replicas, on the connection that wrote (WAIT covers its writes).
    if (waitMs > 0 && !(client instanceof Cluster) && replicasToWaitFor(client) > 0) {
      const acknowledged = await client.wait(replicasToWaitFor(client), waitMs).catch(() => 0);
      return { result, confirmed: acknowledged >= 1 };
    }
    return { result, confirmed: true };
  }

  async #runBySha(client: RedisClient, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return client.eval(this.#lua.source, keys.length, ...keys, ...args);
    }
  }
}

/**
 * WAIT on the connection to the master of `key`'s slot — the connection the script just ran on, whose writes WAIT
 * covers (WAIT has no key by which the Cluster client could route it): true when a replica confirmed the writes, or
 * there is none to wait for. The write is done whatever WAIT answers; a failover between the two only means the new
 * master is asked, which answers for what it holds.
 */
async function waitForReplicas(client: Cluster, key: string, waitMs: number): Promise<boolean> {
  const [master, ...replicas] = client.slots[calculateSlot(key)] ?? [];
  // None after a failover left a master alone (as ioredis last learnt from CLUSTER SLOTS): nothing to wait for.
  if (master === undefined || replicas.length === 0) return true;
  const node = client
    .nodes('master')
    .find((candidate) => `${candidate.options.host}:${candidate.options.port}` === master);
  if (node === undefined) return false;
  return (await node.wait(replicas.length, waitMs).catch(() => 0)) >= 1;
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
