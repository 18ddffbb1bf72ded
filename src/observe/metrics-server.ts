import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Metrics } from './metrics.js';

export interface MetricsServerOptions {
  metrics: Metrics;
  host: string;
  port: number;
  /** Whether the process can do its work now, and if not why (Redis unreachable, Redis full); /readyz reports it. */
  readiness: () => Promise<Readiness>;
}

export type Readiness = { ready: true } | { ready: false; reason: string };

export interface MetricsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** How long /readyz waits for Redis to answer before it reports 503. */
const READY_TIMEOUT_MS = 1000;

/** Serves /metrics (Prometheus text), /healthz (the process is alive) and /readyz (it can send: 200, else 503 and why). */
export function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const reply = (status: number, type: string, body: string) => {
      response.writeHead(status, { 'content-type': type });
      response.end(body);
    };
    if (request.method !== 'GET') return reply(405, 'text/plain', 'method not allowed\n');
    if (path === '/healthz') return reply(200, 'text/plain', 'ok\n');
    if (path === '/readyz') {
      const unreachable: Readiness = { ready: false, reason: 'redis unreachable' };
      return void Promise.race([
        options.readiness(),
        new Promise<Readiness>((resolve) => setTimeout(resolve, READY_TIMEOUT_MS, unreachable)),
      ])
        .catch(() => unreachable)
        .then((readiness) =>
          readiness.ready ? reply(200, 'text/plain', 'ready\n') : reply(503, 'text/plain', `${readiness.reason}\n`),
        );
    }
    if (path === '/metrics') {
      const { registry, refresh } = options.metrics;
      return void refresh()
        .then(() => registry.metrics())
        .then((text) => reply(200, registry.contentType, text))
        .catch((error: unknown) => reply(500, 'text/plain', `metrics failed: ${String(error)}\n`));
    }
    reply(404, 'text/plain', 'not found: try /metrics, /healthz or /readyz\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const { port } = server.address() as AddressInfo;
      const shown = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
      resolve({
        url: `http://${shown}:${port}/metrics`,
        port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
