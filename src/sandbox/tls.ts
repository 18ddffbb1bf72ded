import { generate } from 'selfsigned';

export interface TlsMaterial {
  /** PEM private key. */
  key: string;
  /** PEM certificate; also what clients must trust (`ca`). */
  cert: string;
}

const VALIDITY_MS = 30 * 86_400_000;
// Backdated so a client whose clock is a little behind still accepts a certificate made a moment ago.
const CLOCK_SKEW_MS = 60_000;

/**
 * A fresh self-signed certificate for the loopback names the sandbox is reached by. EC P-256 keeps
 * generation to milliseconds, so each sandbox start can make its own rather than sharing a checked-in key.
 */
export async function generateLoopbackCertificate(): Promise<TlsMaterial> {
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: 'herald sandbox' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - CLOCK_SKEW_MS),
    notAfterDate: new Date(now + VALIDITY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
