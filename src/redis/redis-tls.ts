import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';

import { RedisUnreachableError, type RedisConnectSettings } from './redis-client-options.js';

/** The settings of the files, by the name the user set them with. */
const FILES = [
  ['REDIS_TLS_CA_FILE', 'tlsCaFile', 'ca'],
  ['REDIS_TLS_CERT_FILE', 'tlsCertFile', 'cert'],
  ['REDIS_TLS_KEY_FILE', 'tlsKeyFile', 'key'],
] as const;

/**
 * The TLS options of herald's settings (a private CA; a client certificate and its key), read from their files; for
 * a rediss:// target only. Undefined when none is set: Node's default CAs (and NODE_EXTRA_CA_CERTS) apply.
 */
export function readRedisTls(settings: RedisConnectSettings, targetTls: boolean): ConnectionOptions | undefined {
  const given = FILES.filter(([, key]) => settings[key] !== undefined && settings[key] !== '');
  if (given.length === 0) return targetTls ? {} : undefined;
  if (!targetTls) {
    const names = given.map(([env]) => env).join(', ');
    throw new RedisUnreachableError(
      `${names} set, but REDIS_URL is not rediss:// (nor rediss+cluster://, rediss+sentinel://)`,
    );
  }
  if (((settings.tlsCertFile ?? '') === '') !== ((settings.tlsKeyFile ?? '') === ''))
    throw new RedisUnreachableError('REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE go together: set both or neither');
  const tls: ConnectionOptions = {};
  for (const [env, key, option] of given) {
    const path = settings[key] ?? '';
    try {
      tls[option] = readFileSync(path, 'utf8');
    } catch (error) {
      throw new RedisUnreachableError(
        `${env}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? error})`,
      );
    }
  }
  return tls;
}

/** What to do about a TLS failure Node names in its own words (a certificate not trusted, one not sent). */
export function explainTlsError(raw: string, tls: ConnectionOptions): string {
  // OpenSSL's own errors are a line of codes and source paths around a few words ("tlsv13 alert certificate required").
  const message = /SSL routines:[^:]*:([^:]+):/.exec(raw)?.[1] ?? raw.replace(/\s+/g, ' ').trim();
  if (
    /self.signed|unable to (verify|get local issuer)|certificate has expired|not in the cert's altnames/i.test(message)
  )
    return `${message} (REDIS_TLS_CA_FILE names the certificate authority to trust)`;
  // A server that requires a client certificate (tls-auth-clients) drops a client without one.
  if (tls.cert === undefined && /ECONNRESET|certificate required/i.test(message))
    return `${message} (does Redis require a client certificate? REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE give one)`;
  return message;
}
