import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { findFreePort } from '../../src/local/free-port.js';
import { waitFor } from './wait-for.js';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const PROMTOOL_BIN = '/usr/bin/promtool';

export interface PrometheusServer {
  url: string;
  /** Replaces the scraped targets (file service discovery, picked up within a second). */
  setTargets(ports: readonly number[]): void;
  /** An instant query; the raw `result` array of Prometheus's answer. */
  query(expr: string): Promise<PromSample[]>;
  /** A range query from `start` to `end` (seconds since the epoch) at `step` seconds. */
  queryRange(expr: string, start: number, end: number, step: number): Promise<RangeSample[]>;
  /** Values of a label across series matching `match`. */
  labelValues(label: string, match: string): Promise<string[]>;
  stop(): Promise<void>;
}

export interface RangeSample {
  metric: Record<string, string>;
  values: [number, string][];
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/**
 * Starts Debian's Prometheus on a free loopback port, scraping the given ports every second as job
 * `herald-workers` (the job name deploy/prometheus/prometheus.yml and the alert rules use) and loading `rules`.
 */
export async function startPrometheus(options: { rules: string; ports: readonly number[] }): Promise<PrometheusServer> {
  if (!existsSync(PROMETHEUS_BIN)) throw new Error(`${PROMETHEUS_BIN} is missing: apt-get install -y prometheus`);
  const dir = mkdtempSync(join(tmpdir(), 'herald-prometheus-'));
  const targets = join(dir, 'targets.json');
  const setTargets = (ports: readonly number[]) =>
    writeFileSync(targets, JSON.stringify([{ targets: ports.map((port) => `127.0.0.1:${port}`) }]));
  setTargets(options.ports);
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: [${JSON.stringify(options.rules)}]`,
      'scrape_configs:',
      '  - job_name: herald-workers',
      `    file_sd_configs: [{ files: [${JSON.stringify(targets)}], refresh_interval: 1s }]`,
      '',
    ].join('\n'),
  );
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited: ${output}`);
      return fetch(`${url}/-/ready`).then(
        (response) => response.ok,
        () => false,
      );
    },
    { what: 'prometheus to be ready', every: 100, detail: () => output },
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  const api = async <T>(path: string): Promise<T> => {
    const body = (await (await fetch(`${url}${path}`)).json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? body.status}`);
    return body.data;
  };
  return {
    url,
    setTargets,
    query: async (expr) =>
      (await api<{ result: PromSample[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`)).result,
    queryRange: async (expr, start, end, step) =>
      (
        await api<{ result: RangeSample[] }>(
          `/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${start}&end=${end}&step=${step}`,
        )
      ).result,
    labelValues: (label, match) =>
      api<string[]>(`/api/v1/label/${encodeURIComponent(label)}/values?match[]=${encodeURIComponent(match)}`),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs promtool (e.g. `check metrics`, with the exposition on stdin); `ok` is its exit status 0. */
export function runPromtool(args: readonly string[], stdin = ''): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = execFile(PROMTOOL_BIN, [...args], (error, stdout, stderr) =>
      resolve({ ok: error === null, output: `${stdout}${stderr}` }),
    );
    child.stdin?.end(stdin);
  });
}
