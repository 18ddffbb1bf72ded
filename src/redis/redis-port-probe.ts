import { createConnection } from 'node:net';
import { connect as connectTls } from 'node:tls';

/*
 * Why a connection to Redis failed, asked of the port itself once ioredis has given up: ioredis often says only
 * "Connection is closed." or ETIMEDOUT.
 */

/**
 * Why a connection to `host:port` failed when the port speaks the other protocol: a TLS client at a plain Redis port
 * (or the reverse) otherwise only times out or sees the connection closed. Undefined when the port does neither.
 */
export async function explainProtocolMismatch(host: string, port: number, tls: boolean): Promise<string | undefined> {
  if (tls && (await answersPlainRedis(host, port)))
    return 'that port answers plain Redis, not TLS: use redis://, or the port Redis serves TLS on (its tls-port)';
  if (!tls && (await completesTlsHandshake(host, port)))
    return 'that port speaks TLS: use rediss:// (and REDIS_TLS_CA_FILE for a private certificate authority)';
  return undefined;
}

const PROBE_TIMEOUT_MS = 1500;

/** Whether a plain PING at `host:port` gets a RESP answer (+PONG, or an error such as -NOAUTH). */
function answersPlainRedis(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port, timeout: PROBE_TIMEOUT_MS });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk: Buffer) => done(/^[+-]/.test(chunk.toString('latin1', 0, 1))));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

/** Whether `host:port` completes a TLS handshake (whatever its certificate). */
function completesTlsHandshake(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTls({ host, port, rejectUnauthorized: false, timeout: PROBE_TIMEOUT_MS });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.once('secureConnect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

/** Why a TCP connection to `host:port` fails (e.g. "connect ECONNREFUSED 127.0.0.1:7000"), or undefined if it opens. */
export function tcpError(host: string, port: number, timeoutMs = 2000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port, timeout: timeoutMs });
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.once('connect', () => done(undefined));
    socket.once('timeout', () => done(`no answer within ${timeoutMs} ms`));
    socket.once('error', (error) => done(error.message));
  });
}
