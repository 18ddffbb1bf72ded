import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { findFreePort } from '../../../src/local/free-port.js';
import { type LocalRedis, startLocalRedis } from '../../../src/local/redis-server.js';
import { generateRedisTlsFiles, type RedisTlsFiles } from '../../../src/local/redis-tls-files.js';
import { connectConfiguredRedis, type RedisConnectSettings } from '../../../src/redis/redis-connection.js';
import { HERALD_BIN, spawnNode } from '../../helpers/processes.js';

/** A redis-server serving TLS (client certificates required) on one port and plain Redis on another. */
describe('Redis over TLS with a private CA and client certificates', () => {
  let dir: string;
  let files: RedisTlsFiles;
  let redis: LocalRedis;
  let tlsPort: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'herald-tls-'));
    files = await generateRedisTlsFiles(dir);
    tlsPort = await findFreePort();
    redis = await startLocalRedis({ extraArgs: files.serverArgs(tlsPort) });
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const clientFiles = () => ({
    tlsCaFile: files.caFile,
    tlsCertFile: files.clientCertFile,
    tlsKeyFile: files.clientKeyFile,
  });
  /** Connects as a command does (1 s to connect, so a port that never answers fails fast) and asks PING. */
  const ping = async (settings: RedisConnectSettings) => {
    const client = await connectConfiguredRedis(settings, { role: 'command', connectTimeoutMs: 1000 });
    try {
      return await client.ping();
    } finally {
      client.disconnect();
    }
  };
  const failure = (settings: RedisConnectSettings) =>
    ping(settings).then(
      () => 'connected',
      (error: Error) => error.message,
    );

  it('connects with the CA, certificate and key named by herald’s settings', async () => {
    expect(await ping({ redisUrl: `rediss://127.0.0.1:${tlsPort}`, ...clientFiles() })).toBe('PONG');
  });

  it('says in one line why it cannot: an unknown CA, a missing client certificate, the wrong protocol', async () => {
    const url = `rediss://127.0.0.1:${tlsPort}`;
    expect(await failure({ redisUrl: url })).toBe(
      `cannot reach Redis at ${url}: self-signed certificate in certificate chain (REDIS_TLS_CA_FILE names the ` +
        'certificate authority to trust)',
    );
    // redis-server requires a client certificate (tls-auth-clients yes): it drops the connection, or says why.
    expect(await failure({ redisUrl: url, tlsCaFile: files.caFile })).toMatch(
      new RegExp(
        `^cannot reach Redis at ${url}: (write ECONNRESET|tlsv13 alert certificate required) \\(does Redis ` +
          'require a client certificate\\? REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE give one\\)$',
      ),
    );
    // TLS to the plain port, and plain Redis to the TLS port, are named as such rather than timing out.
    expect(await failure({ redisUrl: `rediss://127.0.0.1:${redis.port}`, ...clientFiles() })).toBe(
      `cannot reach Redis at rediss://127.0.0.1:${redis.port}: that port answers plain Redis, not TLS: use ` +
        'redis://, or the port Redis serves TLS on (its tls-port)',
    );
    expect(await failure({ redisUrl: `redis://127.0.0.1:${tlsPort}` })).toBe(
      `cannot reach Redis at redis://127.0.0.1:${tlsPort}: that port speaks TLS: use rediss:// (and ` +
        'REDIS_TLS_CA_FILE for a private certificate authority)',
    );
    for (const message of await Promise.all([
      failure({ redisUrl: url }),
      failure({ redisUrl: url, tlsCaFile: files.caFile }),
    ]))
      expect(message).not.toContain('\n');
  });

  it('refuses TLS settings that cannot work, naming them', async () => {
    expect(await failure({ redisUrl: `redis://127.0.0.1:${redis.port}`, tlsCaFile: files.caFile })).toBe(
      'REDIS_TLS_CA_FILE set, but REDIS_URL is not rediss:// (nor rediss+cluster://, rediss+sentinel://)',
    );
    expect(
      await failure({ redisUrl: `rediss://127.0.0.1:${tlsPort}`, tlsCaFile: files.caFile, tlsCertFile: files.caFile }),
    ).toBe('REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE go together: set both or neither');
    expect(await failure({ redisUrl: `rediss://127.0.0.1:${tlsPort}`, tlsCaFile: join(dir, 'missing.pem') })).toBe(
      `REDIS_TLS_CA_FILE: cannot read ${join(dir, 'missing.pem')} (ENOENT)`,
    );
  });

  it('serves a CLI command configured by the environment alone', async () => {
    const run = spawnNode([HERALD_BIN, 'campaigns'], {
      REDIS_URL: `rediss://127.0.0.1:${tlsPort}`,
      REDIS_TLS_CA_FILE: files.caFile,
      REDIS_TLS_CERT_FILE: files.clientCertFile,
      REDIS_TLS_KEY_FILE: files.clientKeyFile,
      HERALD_PREFIX: 'tls',
    });
    expect({ ...(await run.exited), output: run.output().trim() }).toEqual({
      code: 0,
      signal: null,
      output: 'no campaigns yet: herald send <file> --campaign <name> … creates one',
    });
  });
});
