import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { generate } from 'selfsigned';

/** PEM files for a redis-server with TLS and a client of it, all signed by a private certificate authority. */
export interface RedisTlsFiles {
  /** The private CA's certificate: what a client must trust (REDIS_TLS_CA_FILE), and redis-server checks clients by. */
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  /** A client certificate the CA signed (REDIS_TLS_CERT_FILE, REDIS_TLS_KEY_FILE). */
  clientCertFile: string;
  clientKeyFile: string;
  /** redis-server's arguments to serve TLS on `port` with these files and to require client certificates. */
  serverArgs(port: number): string[];
}

const DAY_MS = 86_400_000;

/** Makes a private CA, a server certificate for 127.0.0.1 and localhost, and a client certificate, into `dir`. */
export async function generateRedisTlsFiles(dir: string): Promise<RedisTlsFiles> {
  const now = Date.now();
  const validity = { notBeforeDate: new Date(now - DAY_MS), notAfterDate: new Date(now + DAY_MS) };
  const common = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256', ...validity } as const;
  const ca = await generate([{ name: 'commonName', value: 'herald test CA' }], {
    ...common,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const signed = (commonName: string, usage: 'serverAuth' | 'clientAuth') =>
    generate([{ name: 'commonName', value: commonName }], {
      ...common,
      ca: { key: ca.private, cert: ca.cert },
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage', [usage]: true },
        ...(usage === 'serverAuth'
          ? [
              {
                name: 'subjectAltName' as const,
                altNames: [
                  { type: 2 as const, value: 'localhost' },
                  { type: 7 as const, ip: '127.0.0.1' },
                ],
              },
            ]
          : []),
      ],
    });
  const [server, client] = await Promise.all([
    signed('redis test server', 'serverAuth'),
    signed('herald', 'clientAuth'),
  ]);
  const write = (name: string, pem: string) => {
    const path = join(dir, name);
    writeFileSync(path, pem, { mode: 0o600 });
    return path;
  };
  const files = {
    caFile: write('ca.pem', ca.cert),
    serverCertFile: write('server.pem', server.cert),
    serverKeyFile: write('server.key', server.private),
    clientCertFile: write('client.pem', client.cert),
    clientKeyFile: write('client.key', client.private),
  };
  return {
    ...files,
    serverArgs: (port) => [
      '--tls-port',
      String(port),
      '--tls-cert-file',
      files.serverCertFile,
      '--tls-key-file',
      files.serverKeyFile,
      '--tls-ca-cert-file',
      files.caFile,
      '--tls-auth-clients',
      'yes',
    ],
  };
}
