import type { ConnectionOptions } from 'node:tls';

import { Redis } from 'ioredis';

import { reportConnectionError, routeConnectionErrors } from './connection-errors.js';
import {
  commonClientOptions,
  reconnectDelayMs,
  type RedisConnectSettings,
  type RedisOptions,
  RedisUnreachableError,
} from './redis-client-options.js';
import { tcpError } from './redis-port-probe.js';
import { type RedisTarget, describeRedisTarget } from '../config/redis-target.js';

type SentinelTarget = Extract<RedisTarget, { kind: 'sentinel' }>;

/**
 * Redis's answers to a write it did not run because it is no longer the master (READONLY), or because no replica
 * follows it (NOREPLICAS, with min-replicas-to-write: an old master whose replica was just promoted).
 */
const NOT_MASTER_NOW = /^(READONLY|NOREPLICAS)\b/;

/**
 * Connects to the master that Redis Sentinel names, and waits until it answers. ioredis asks the sentinels for the
 * master, and again after a failover: it hears of the switch from the sentinels (failoverDetector) and reconnects,
 * and a write that the old master refused (READONLY, NOREPLICAS: not run) is sent again to the new one.
 * At start-up, sentinels that cannot be reached, or that know no master of that name, fail at once with one line.
 */
export async function connectSentinel(
  target: SentinelTarget,
  settings: RedisConnectSettings,
  options: RedisOptions,
  tls: ConnectionOptions | undefined,
): Promise<Redis> {
  let connected = false;
  const client = new Redis({
    ...commonClientOptions(options, tls),
    lazyConnect: true,
    sentinels: target.sentinels.map(({ host, port }) => ({ host, port })),
    name: target.name,
    db: target.db,
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    ...(settings.sentinelUsername ? { sentinelUsername: settings.sentinelUsername } : {}),
    ...(settings.sentinelPassword ? { sentinelPassword: settings.sentinelPassword } : {}),
    ...(tls === undefined ? {} : { sentinelTLS: tls, enableTLSForSentinelMode: true }),
    // Long-lived connections hear of a switch from the sentinels at once; a command's ends before it could matter.
    failoverDetector: options.role === 'worker',
    // 2: reconnect (to the master the sentinels name now) and send the refused command again.
    reconnectOnError: (error) => (NOT_MASTER_NOW.test(error.message) ? 2 : false),
    retryStrategy: reconnectDelayMs,
    // Before the first connection, give up when no sentinel answers; afterwards ask them again for ever.
    sentinelRetryStrategy: (times) => (connected ? reconnectDelayMs(times) : null),
  });
  const sentinelErrors: string[] = [];
  let masterError: Error | undefined;
  // Kept only to say why the first connection failed: a long-lived connection's sentinels may fail for weeks.
  client.on('sentinelError', (error: Error) => {
    if (!connected) sentinelErrors.push(error.message);
  });
  client.on('error', (error: Error) => {
    // Before the first connection: the master's own refusal (a wrong password), kept to say why connect() failed.
    if (!connected && !/sentinels are unreachable/.test(error.message)) masterError ??= error;
    if (connected) reportConnectionError(client, error);
  });
  try {
    await client.connect();
    await client.ping();
    routeConnectionErrors(client, options.onError);
    connected = true;
    return client;
  } catch (error) {
    client.disconnect();
    const reason =
      sentinelErrors.length > 0
        ? (await Promise.all(sentinelErrors.map((message) => explainSentinelError(message, target.name)))).join('; ')
        : `the master they name: ${(masterError ?? (error instanceof Error ? error : new Error(String(error)))).message}`;
    throw new RedisUnreachableError(`cannot reach Redis through Sentinel at ${describeRedisTarget(target)}: ${reason}`);
  }
}

/** ioredis's words for a sentinel that failed, in the user's. */
async function explainSentinelError(message: string, name: string): Promise<string> {
  const unknown = /^connected to sentinel (\S+) successfully, but got an invalid reply: null$/.exec(message);
  if (unknown !== null) return `sentinel ${unknown[1]} knows no master named "${name}"`;
  const failed = /^failed to connect to sentinel (\S+):(\d+) because (.*)$/.exec(message);
  if (failed === null) return message;
  const [, host = '', port = '0', why = ''] = failed;
  const address = `${host}:${port}`;
  if (/^NOAUTH\b/.test(why)) return `sentinel ${address} requires a password: set REDIS_SENTINEL_PASSWORD`;
  if (/^WRONGPASS\b/.test(why)) return `sentinel ${address} refused REDIS_SENTINEL_USERNAME/REDIS_SENTINEL_PASSWORD`;
  if (/Connection is closed/.test(why)) return `sentinel ${address}: ${(await tcpError(host, Number(port))) ?? why}`;
  return `sentinel ${address}: ${why}`;
}

/**
 * A warning when the master behind Sentinel takes writes with no replica following it (no min-replicas-to-write):
 * in a failover it then takes writes after its replica was promoted and loses them when it is made a replica in turn,
 * and a lost in-flight mark lets a recipient be texted twice. Undefined when it is set (or cannot be read).
 */
export async function checkSentinelWriteSafety(client: Redis): Promise<string | undefined> {
  const info = await client.info('replication').catch(() => undefined);
  // Redis lists min_slaves_good_slaves only when min-replicas-to-write (and its max lag) are set.
  if (info === undefined || /^min_slaves_good_slaves:/m.test(info)) return undefined;
  return (
    'the Redis master behind Sentinel has no min-replicas-to-write: a failover can lose writes, and a recipient whose ' +
    'send was in flight may then be texted twice (see docs/operating.md, Redis behind Sentinel)'
  );
}
