import { loadClientConfig } from '../config/load-config.js';
import { type CampaignName, parseCampaignName } from '../domain/campaign.js';
import type { CampaignRecord, CampaignStore } from '../queue/campaign-store.js';
import type { Keys } from '../queue/keys.js';
import type { RedisClient } from '../queue/redis-connection.js';
import { UsageError } from './usage-error.js';

export interface CampaignSession {
  connection: RedisClient;
  keys: Keys;
  store: CampaignStore;
  name: CampaignName;
  record: CampaignRecord;
}

/**
 * Runs a command against one existing campaign: checks the name, connects to Redis (one readable line when it
 * cannot), refuses a campaign that does not exist, and always closes the connection.
 */
export async function withCampaign<T>(campaign: string, run: (session: CampaignSession) => Promise<T>): Promise<T> {
  const name = parseCampaignName(campaign);
  if (!name.ok) throw new UsageError(name.reason);
  const config = loadClientConfig(process.env);
  const [{ connectRedis }, { makeKeys }, { CampaignStore }] = await Promise.all([
    import('../queue/redis-connection.js'),
    import('../queue/keys.js'),
    import('../queue/campaign-store.js'),
  ]);
  const connection = await connectRedis(config.redis.redisUrl, { role: 'command' });
  try {
    const keys = makeKeys(config.redis.prefix);
    const store = new CampaignStore(connection, keys);
    const record = await store.get(name.name);
    if (record === undefined) throw new UsageError(`no campaign named ${campaign}`);
    return await run({ connection, keys, store, name: name.name, record });
  } finally {
    await connection.quit().catch(() => connection.disconnect());
  }
}
