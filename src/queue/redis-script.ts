import { createHash } from 'node:crypto';

import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';

import { type RedisClient, replicaWaitMsOf } from './redis-connection.js';

export interface RedisScriptOptions {
  /**
   * Writes that must survive a failover: on a Redis Cluster connection that asks for it (HERALD_REPLICA_WAIT_MS),
   * the script is followed by `WAIT <replicas of its shard> <ms>` on the same connection, so it resolves only once
   * the replicas hold its writes (or the wait ran out: a replica that is gone or far behind does not stop herald).
   * Redis replicates asynchronously; without this, a master that dies right after answering can take the write with
   * it and its promoted replica would not know, e.g., that a send is already in flight.
   */
  replicated?: boolean;
}

/** A Lua script run by its SHA, loaded on first use (and again after a Redis restart forgets it). */
export class RedisScript {
  readonly #source: string;
  readonly #sha: string;
  readonly #replicated: boolean;

  constructor(source: string, options: RedisScriptOptions = {}) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
    this.#replicated = options.replicated ?? false;
  }

  /** A script whose writes must survive a failover (see RedisScriptOptions.replicated). */
  static replicated(source: string): RedisScript {
    return new RedisScript(source, { replicated: true });
  }

  async run(client: RedisClient, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const waitMs = this.#replicated ? replicaWaitMsOf(client) : 0;
    if (waitMs > 0 && client instanceof Cluster && keys[0] !== undefined) {
      // The replicas ioredis learnt from CLUSTER SLOTS: none after a failover left a master alone, so no wait.
      const replicas = (client.slots[calculateSlot(keys[0])]?.length ?? 1) - 1;
      if (replicas > 0) return this.#runAndWait(client, keys, args, replicas, waitMs);
    }
    try {
      return await client.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return client.eval(this.#source, keys.length, ...keys, ...args);
    }
  }

  /** One pipeline, so that WAIT goes to the master that ran the script (WAIT has no key to route it by). */
  async #runAndWait(
    client: Cluster,
    keys: readonly string[],
    args: readonly (string | number)[],
    replicas: number,
    waitMs: number,
  ): Promise<unknown> {
    const attempt = async (bySha: boolean) => {
      const pipeline = client.pipeline();
      if (bySha) pipeline.evalsha(this.#sha, keys.length, ...keys, ...args);
      else pipeline.eval(this.#source, keys.length, ...keys, ...args);
      pipeline.wait(replicas, waitMs);
      const [[error, value] = [null, undefined]] = (await pipeline.exec()) ?? [];
      if (error !== null) throw error;
      return value;
    };
    try {
      return await attempt(true);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return attempt(false);
    }
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
