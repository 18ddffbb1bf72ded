import { loadClientConfig } from '../config/load-config.js';
import { parseCampaignName, type CampaignName } from '../domain/campaign.js';
import type { CampaignStore } from '../queue/campaign-store.js';
import type { Keys } from '../store/keys.js';
import type { Clock } from '../redis/redis-clock.js';
import type { RedisClient } from '../redis/redis-connection.js';
import { UsageError } from './usage-error.js';

export interface CampaignConnection {
  connection: RedisClient;
  keys: Keys;
  store: CampaignStore;
  /** Redis's clock, read once, so that a command's time-based decisions agree with the workers'. */
  clock: Clock;
}

/** A campaign name argument, or a usage error before Redis is touched. */
export function campaignArgument(text: string): CampaignName {
  const parsed = parseCampaignName(text);
  if (!parsed.ok) throw new UsageError(parsed.reason);
  return parsed.name;
}

/**
 * Runs a command's body with a Redis connection, closing it afterwards: every command connects here, from the same
 * settings and in the same way as the workers (one Redis, a Cluster, Sentinel; TLS), and says in one line when Redis
 * cannot be reached or is too full to take the command's writes (`consequence`: what that left undone).
 */
export async function withCampaignStore<T>(
  body: (context: CampaignConnection) => Promise<T>,
  consequence?: string,
): Promise<T> {
  const config = loadClientConfig(process.env);
  // Loaded on use, so that --help and argument errors do not pay for importing BullMQ and ioredis.
  const [{ connectConfiguredRedis }, { explainOutOfMemory }, { makeKeys }, { CampaignStore }, { RedisClock }] =
    await Promise.all([
      import('../redis/redis-connection.js'),
      import('../redis/redis-memory.js'),
      import('../store/keys.js'),
      import('../queue/campaign-store.js'),
      import('../redis/redis-clock.js'),
    ]);
  const connection = await connectConfiguredRedis(config.redis, { role: 'command' });
  try {
    const keys = makeKeys(config.redis.prefix);
    const clock = new RedisClock(connection);
    await clock.sync();
    return await explainOutOfMemory(
      connection,
      () => body({ connection, keys, store: new CampaignStore(connection, keys), clock }),
      consequence,
    );
  } finally {
    // QUIT lets the commands sent finish; disconnect then also closes what ioredis keeps beside the connection
    // (behind Sentinel, its connections to the sentinels), which would keep the process alive.
    await connection.quit().catch(() => undefined);
    connection.disconnect();
  }
}

/** The campaign's record, or a usage error naming it. */
export async function requireCampaign(store: CampaignStore, name: CampaignName) {
  const record = await store.get(name);
  if (record === undefined) throw new UsageError(`no campaign named ${name}`);
  return record;
}
