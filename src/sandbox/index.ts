import { setMaxListeners } from 'node:events';

import { createApp } from './app.js';
import { MessageStore } from './message-store.js';
import { RequestLog, type SandboxRequest } from './request-log.js';
import { listen } from './server.js';
import { generateLoopbackCertificate, type TlsMaterial } from './tls.js';

export type { SandboxRequest } from './request-log.js';

export interface SandboxOptions {
  /** Interface to bind. @defaultValue '127.0.0.1' (loopback only) */
  host?: string;
  /** 0 picks a free port. @defaultValue 0 */
  port?: number;
  /** The one account the sandbox accepts, `AC` + 32 hex. */
  accountSid: string;
  /** HTTP Basic password for that account. Never logged, echoed or recorded. */
  authToken: string;
  /** Serve HTTPS with a self-signed certificate made at start for 127.0.0.1 and localhost. @defaultValue false */
  tls?: boolean;
  /** Answer every Twilio API request after this delay (inspection endpoints are not delayed). @defaultValue 0 */
  latencyMs?: number;
}

export interface Sandbox {
  /** e.g. `http://127.0.0.1:43123` (`https:` when tls). */
  url: string;
  port: number;
  /** PEM of the self-signed certificate when tls, to pass as `ca` to createTwilioClient. */
  ca?: string;
  /** Every create request received so far, oldest first (a copy). */
  requests(): readonly SandboxRequest[];
  /** Forget requests and messages. */
  reset(): void;
  close(): Promise<void>;
}

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;

/**
 * Starts a local stand-in for Twilio's Messages API that the official SDK and Twilio's curl examples use
 * unchanged: `POST|GET /2010-04-01/Accounts/{AccountSid}/Messages.json` (create with Twilio's validation,
 * error codes and test magic numbers; list with `To`/`From`/`DateSent` filters and page tokens) and
 * `GET …/Messages/{Sid}.json`. For tests and benchmarks, not part of Twilio: `GET /sandbox/requests`
 * (the create requests received), `DELETE /sandbox/requests` (same as reset()) and `GET /sandbox/health`,
 * answered to loopback clients only.
 */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  if (!ACCOUNT_SID.test(options.accountSid)) {
    throw new Error('startSandbox: accountSid must be AC followed by 32 hex digits');
  }
  if (options.authToken === '') throw new Error('startSandbox: authToken must not be empty');
  const host = options.host ?? '127.0.0.1';
  const tls: TlsMaterial | undefined = options.tls === true ? await generateLoopbackCertificate() : undefined;
  const store = new MessageStore();
  const log = new RequestLog();
  const shutdown = new AbortController();
  // Every answer held back by latencyMs listens for shutdown; hundreds in flight are normal, not a leak.
  setMaxListeners(0, shutdown.signal);
  const app = createApp({
    accountSid: options.accountSid,
    authToken: options.authToken,
    latencyMs: options.latencyMs ?? 0,
    store,
    log,
    signal: shutdown.signal,
  });
  const server = await listen(app, { host, port: options.port ?? 0, tls });
  let closing: Promise<void> | undefined;
  return {
    url: `${tls === undefined ? 'http' : 'https'}://${host.includes(':') ? `[${host}]` : host}:${server.port}`,
    port: server.port,
    ...(tls === undefined ? {} : { ca: tls.cert }),
    requests: () => log.snapshot(),
    reset: () => {
      log.clear();
      store.clear();
    },
    // Idempotent, so a test may close early and still leave cleanup to its afterEach.
    close: () => {
      shutdown.abort();
      closing ??= server.close();
      return closing;
    },
  };
}
