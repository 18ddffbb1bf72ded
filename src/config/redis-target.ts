/**
 * Which Redis herald talks to, read from its settings: one server (`REDIS_URL=redis://…`); a Redis Cluster given by
 * seed nodes (`REDIS_URL=redis+cluster://host:port,host:port` or `REDIS_CLUSTER_NODES`); or a master found through
 * Redis Sentinel (`REDIS_URL=redis+sentinel://host:port,host:port/<master name>`). A seed or a sentinel is only where
 * the client starts: it learns the rest (every node and who holds which slot; the current master) from them.
 */

export interface ClusterSeed {
  host: string;
  port: number;
}

export type RedisTarget =
  | { kind: 'single'; url: string }
  | {
      kind: 'sentinel';
      sentinels: readonly ClusterSeed[];
      /** The master group's name, as in the sentinels' `sentinel monitor <name> …`. */
      name: string;
      db: number;
      /** TLS to the sentinels and the master (`rediss+sentinel://`). */
      tls: boolean;
      /** The master's credentials (the sentinels' own are settings of their own). */
      username?: string;
      password?: string;
    }
  | {
      kind: 'cluster';
      seeds: readonly ClusterSeed[];
      /** TLS to every node (`rediss+cluster://`, or `rediss://` seeds). */
      tls: boolean;
      username?: string;
      password?: string;
    };

export type ParsedTarget = { ok: true; target: RedisTarget } | { ok: false; reason: string };

const SINGLE_SCHEME = /^rediss?:$/;
const CLUSTER_SCHEME = /^(rediss?)\+cluster:\/\/(.*)$/;
const SENTINEL_SCHEME = /^(rediss?)\+sentinel:\/\/([^/]*)(?:\/(.*))?$/;
/** Sentinel's own port, when a sentinel is given without one. */
const SENTINEL_PORT = 26379;

/** The cluster URL scheme: `redis+cluster://[user:password@]host:port[,host:port…]`. */
export function isClusterUrl(url: string): boolean {
  return CLUSTER_SCHEME.test(url);
}

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** `host:port`, `[v6]:port`, or `host` (port `defaultPort`). */
function parseHostPort(text: string, defaultPort = 6379): ClusterSeed | string {
  // Never echoed: it may hold a password.
  if (text.includes('@')) return 'has an entry with credentials but no redis:// scheme';
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]/\s@]+)(?::([^:]*))?$/.exec(text);
  if (match === null) return `"${text}" is not host:port`;
  const host = (match[1] ?? '').replace(/^\[|\]$/g, '');
  const port = match[2] === undefined ? defaultPort : parsePort(match[2]);
  if (port === undefined) return `"${text}" has no valid port (1–65535)`;
  return { host, port };
}

function parseSeedList(list: string, defaultPort = 6379): ClusterSeed[] | string {
  const entries = list
    .split(/[\s,]+/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) return 'lists no node';
  const seeds: ClusterSeed[] = [];
  for (const entry of entries) {
    const seed = parseHostPort(entry, defaultPort);
    if (typeof seed === 'string') return seed;
    seeds.push(seed);
  }
  return seeds;
}

/** Splits `user:password@` off an authority; both parts are percent-decoded as in any URL. */
function splitCredentials(authority: string): { userInfo?: { username?: string; password?: string }; hosts: string } {
  const at = authority.lastIndexOf('@');
  if (at < 0) return { hosts: authority };
  const [user = '', ...rest] = authority.slice(0, at).split(':');
  const password = rest.length > 0 ? decodeURIComponent(rest.join(':')) : undefined;
  const username = user === '' ? undefined : decodeURIComponent(user);
  return {
    userInfo: { ...(username === undefined ? {} : { username }), ...(password === undefined ? {} : { password }) },
    hosts: authority.slice(at + 1),
  };
}

/** Reads `redis+cluster://[user:password@]host:port[,host:port…][/]`; never puts the password in a reason. */
export function parseClusterUrl(url: string): ParsedTarget {
  const match = CLUSTER_SCHEME.exec(url);
  if (match === null) return { ok: false, reason: 'is not a redis+cluster:// or rediss+cluster:// URL' };
  const authority = (match[2] ?? '').replace(/\/$/, '');
  if (/[/?#]/.test(authority))
    return { ok: false, reason: 'must not have a path or query (a cluster has no databases)' };
  const { userInfo, hosts } = splitCredentials(authority);
  const seeds = parseSeedList(hosts);
  if (typeof seeds === 'string') return { ok: false, reason: `seed list ${seeds}` };
  return { ok: true, target: { kind: 'cluster', seeds, tls: match[1] === 'rediss', ...userInfo } };
}

/**
 * Reads `redis+sentinel://[user:password@]host:port[,host:port…]/<master name>[/<db>]` (rediss+sentinel:// for TLS);
 * a sentinel without a port is on 26379. Never puts the password in a reason.
 */
export function parseSentinelUrl(url: string): ParsedTarget {
  const match = SENTINEL_SCHEME.exec(url);
  if (match === null) return { ok: false, reason: 'is not a redis+sentinel:// or rediss+sentinel:// URL' };
  const { userInfo, hosts } = splitCredentials(match[2] ?? '');
  const sentinels = parseSeedList(hosts, SENTINEL_PORT);
  if (typeof sentinels === 'string') return { ok: false, reason: `sentinel list ${sentinels}` };
  const [name = '', db = '0', ...rest] = (match[3] ?? '').split('/');
  if (name === '' || /[?#]/.test(name) || rest.some((part) => part !== ''))
    return { ok: false, reason: 'must end with /<master name> (as the sentinels monitor it), then /<db> if not 0' };
  if (!/^\d{1,5}$/.test(db)) return { ok: false, reason: `has "${db}" where the database number goes` };
  const tls = match[1] === 'rediss';
  return {
    ok: true,
    target: { kind: 'sentinel', sentinels, name: decodeURIComponent(name), db: Number(db), tls, ...userInfo },
  };
}

/**
 * REDIS_CLUSTER_NODES: seeds separated by commas or spaces, each `host:port` or a `redis://` / `rediss://` URL.
 * Credentials and TLS come from the URL entries (they must agree), as every node of a cluster shares them.
 */
export function parseClusterNodes(list: string): ParsedTarget {
  const entries = list.split(/[\s,]+/).filter((entry) => entry !== '');
  if (entries.length === 0) return { ok: false, reason: 'lists no node' };
  const seeds: ClusterSeed[] = [];
  let auth: { tls: boolean; username?: string; password?: string } | undefined;
  for (const entry of entries) {
    if (!entry.includes('://')) {
      const seed = parseHostPort(entry);
      if (typeof seed === 'string') return { ok: false, reason: seed };
      seeds.push(seed);
      continue;
    }
    if (!URL.canParse(entry) || !SINGLE_SCHEME.test(new URL(entry).protocol)) {
      return { ok: false, reason: 'has an entry that is neither host:port nor a redis:// or rediss:// URL' };
    }
    const parsed = new URL(entry);
    const these = {
      tls: parsed.protocol === 'rediss:',
      ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
      ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    };
    if (auth !== undefined && JSON.stringify(auth) !== JSON.stringify(these)) {
      return { ok: false, reason: 'has URL entries with different credentials or TLS' };
    }
    auth = these;
    seeds.push({ host: parsed.hostname.replace(/^\[|\]$/g, ''), port: parsePort(parsed.port || '6379') ?? 6379 });
  }
  return { ok: true, target: { kind: 'cluster', seeds, tls: false, ...auth } };
}

/** The target of herald's settings: REDIS_CLUSTER_NODES, when set, wins over REDIS_URL. */
export function redisTargetOf(settings: { redisUrl: string; clusterNodes?: string | undefined }): ParsedTarget {
  if (settings.clusterNodes !== undefined && settings.clusterNodes.trim() !== '') {
    return parseClusterNodes(settings.clusterNodes);
  }
  if (isClusterUrl(settings.redisUrl)) return parseClusterUrl(settings.redisUrl);
  if (SENTINEL_SCHEME.test(settings.redisUrl)) return parseSentinelUrl(settings.redisUrl);
  if (!URL.canParse(settings.redisUrl) || !SINGLE_SCHEME.test(new URL(settings.redisUrl).protocol)) {
    return { ok: false, reason: 'is not a redis://, rediss://, redis+cluster:// or redis+sentinel:// URL' };
  }
  return { ok: true, target: { kind: 'single', url: settings.redisUrl } };
}

/** What kind of Redis the settings name (they were validated when loaded). */
export function redisTargetKind(settings: {
  redisUrl: string;
  clusterNodes?: string | undefined;
}): RedisTarget['kind'] {
  const parsed = redisTargetOf(settings);
  return parsed.ok ? parsed.target.kind : 'single';
}

/** The target without credentials, for messages and logs. */
export function describeRedisTarget(target: RedisTarget): string {
  if (target.kind === 'single') {
    const parsed = new URL(target.url);
    const path = parsed.pathname === '/' ? '' : parsed.pathname;
    return `${parsed.protocol}//${parsed.hostname}:${parsed.port || '6379'}${path}`;
  }
  const address = (seed: ClusterSeed) => (seed.host.includes(':') ? `[${seed.host}]` : seed.host) + `:${seed.port}`;
  const scheme = target.tls ? 'rediss' : 'redis';
  if (target.kind === 'sentinel') {
    const db = target.db === 0 ? '' : `/${target.db}`;
    return `${scheme}+sentinel://${target.sentinels.map(address).join(',')}/${encodeURIComponent(target.name)}${db}`;
  }
  return `${scheme}+cluster://${target.seeds.map(address).join(',')}`;
}
