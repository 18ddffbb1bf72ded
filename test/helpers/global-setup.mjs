// Jest loads global setup outside its module mapper, so this imports the compiled module (`npm test` builds first).
import { startLocalRedis } from '../../dist/src/local/redis-server.js';

/**
 * One private redis-server for the whole run; each test file isolates itself with its own key prefix.
 * The URL reaches the test workers through the environment, which they inherit.
 */
export default async function globalSetup() {
  const redis = await startLocalRedis({ install: true });
  process.env.HERALD_TEST_REDIS_URL = redis.url;
  globalThis.heraldTestRedis = redis;
}
