import { describe, expect, it } from '@jest/globals';

import {
  describeRedisTarget,
  parseClusterNodes,
  parseClusterUrl,
  redisTargetOf,
} from '../../../src/config/redis-target.js';

describe('redisTargetOf', () => {
  it('reads a redis:// or rediss:// URL as one server', () => {
    expect(redisTargetOf({ redisUrl: 'redis://127.0.0.1:6379' })).toEqual({
      ok: true,
      target: { kind: 'single', url: 'redis://127.0.0.1:6379' },
    });
    expect(redisTargetOf({ redisUrl: 'rediss://:pw@cache.example.com:6380/2' })).toMatchObject({
      ok: true,
      target: { kind: 'single' },
    });
  });

  it('reads a redis+cluster:// URL as seed nodes with shared credentials', () => {
    expect(redisTargetOf({ redisUrl: 'redis+cluster://app:s%40cret@10.0.0.1:7000,10.0.0.2:7001/' })).toEqual({
      ok: true,
      target: {
        kind: 'cluster',
        seeds: [
          { host: '10.0.0.1', port: 7000 },
          { host: '10.0.0.2', port: 7001 },
        ],
        tls: false,
        username: 'app',
        password: 's@cret',
      },
    });
    expect(parseClusterUrl('rediss+cluster://[::1]:7000,redis-0')).toEqual({
      ok: true,
      target: {
        kind: 'cluster',
        seeds: [
          { host: '::1', port: 7000 },
          { host: 'redis-0', port: 6379 },
        ],
        tls: true,
      },
    });
  });

  it('reads a redis+sentinel:// URL as sentinels, the master’s name, its database and credentials', () => {
    expect(redisTargetOf({ redisUrl: 'redis+sentinel://app:s%40cret@10.0.0.1,10.0.0.2:26380/main-cache/2' })).toEqual({
      ok: true,
      target: {
        kind: 'sentinel',
        sentinels: [
          { host: '10.0.0.1', port: 26379 },
          { host: '10.0.0.2', port: 26380 },
        ],
        name: 'main-cache',
        db: 2,
        tls: false,
        username: 'app',
        password: 's@cret',
      },
    });
    expect(redisTargetOf({ redisUrl: 'rediss+sentinel://[::1]:26379/mymaster' })).toEqual({
      ok: true,
      target: { kind: 'sentinel', sentinels: [{ host: '::1', port: 26379 }], name: 'mymaster', db: 0, tls: true },
    });
  });

  it('prefers REDIS_CLUSTER_NODES over REDIS_URL', () => {
    expect(redisTargetOf({ redisUrl: 'redis://127.0.0.1:6379', clusterNodes: 'a:7000 b:7001,c:7002' })).toEqual({
      ok: true,
      target: {
        kind: 'cluster',
        seeds: [
          { host: 'a', port: 7000 },
          { host: 'b', port: 7001 },
          { host: 'c', port: 7002 },
        ],
        tls: false,
      },
    });
    expect(redisTargetOf({ redisUrl: 'redis://127.0.0.1:6379', clusterNodes: '  ' })).toMatchObject({
      target: { kind: 'single' },
    });
  });

  it('takes credentials and TLS from URL entries of REDIS_CLUSTER_NODES', () => {
    expect(parseClusterNodes('rediss://u:p@a:7000,rediss://u:p@b:7001,c:7002')).toEqual({
      ok: true,
      target: {
        kind: 'cluster',
        seeds: [
          { host: 'a', port: 7000 },
          { host: 'b', port: 7001 },
          { host: 'c', port: 7002 },
        ],
        tls: true,
        username: 'u',
        password: 'p',
      },
    });
  });

  it('refuses bad seed lists with a reason that never holds the password', () => {
    const cases: [{ redisUrl: string; clusterNodes?: string }, string][] = [
      [{ redisUrl: 'localhost:6379' }, 'is not a redis://, rediss://, redis+cluster:// or redis+sentinel:// URL'],
      [
        { redisUrl: 'redis+sentinel://u:hunter2@s1:26379' },
        'must end with /<master name> (as the sentinels monitor it), then /<db> if not 0',
      ],
      [{ redisUrl: 'redis+sentinel://s1,s2/mymaster/x' }, 'has "x" where the database number goes'],
      [
        { redisUrl: 'redis+sentinel://u:hunter2@s1:99999/mymaster' },
        'sentinel list "s1:99999" has no valid port (1–65535)',
      ],
      [{ redisUrl: 'redis+cluster://' }, 'seed list lists no node'],
      [{ redisUrl: 'redis+cluster://a:7000,b:x' }, 'seed list "b:x" has no valid port (1–65535)'],
      [{ redisUrl: 'redis+cluster://a:7000/0' }, 'must not have a path or query (a cluster has no databases)'],
      [{ redisUrl: '', clusterNodes: 'a:70000' }, '"a:70000" has no valid port (1–65535)'],
      [{ redisUrl: '', clusterNodes: ',' }, 'lists no node'],
      [{ redisUrl: '', clusterNodes: 'user:hunter2@a:7000' }, 'has an entry with credentials but no redis:// scheme'],
      [
        { redisUrl: '', clusterNodes: 'http://a:7000' },
        'has an entry that is neither host:port nor a redis:// or rediss:// URL',
      ],
      [
        { redisUrl: '', clusterNodes: 'redis://:one@a:7000,redis://:two@b:7000' },
        'has URL entries with different credentials or TLS',
      ],
    ];
    for (const [settings, reason] of cases) {
      expect({ settings, parsed: redisTargetOf(settings) }).toEqual({ settings, parsed: { ok: false, reason } });
    }
  });
});

describe('describeRedisTarget', () => {
  it('names the servers without credentials', () => {
    const single = redisTargetOf({ redisUrl: 'redis://:hunter2@cache:6380/1' });
    const cluster = redisTargetOf({ redisUrl: 'rediss+cluster://u:hunter2@a:7000,[::1]:7001' });
    const sentinel = redisTargetOf({ redisUrl: 'redis+sentinel://:hunter2@s1,s2:26380/mymaster/3' });
    if (!single.ok || !cluster.ok || !sentinel.ok) throw new Error('fixtures must parse');
    expect(describeRedisTarget(single.target)).toBe('redis://cache:6380/1');
    expect(describeRedisTarget(cluster.target)).toBe('rediss+cluster://a:7000,[::1]:7001');
    expect(describeRedisTarget(sentinel.target)).toBe('redis+sentinel://s1:26379,s2:26380/mymaster/3');
  });
});
