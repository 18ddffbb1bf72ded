import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import pLimit from 'p-limit';

import { findFreePort } from '../../src/local/free-port.js';
import { type LocalRedis, startLocalRedis } from '../../src/local/redis-server.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { HERALD_BIN, type RunningProcess, spawnNode, startWorkerProcess, WORKER_ENTRY } from '../helpers/processes.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, uniquePrefix } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait-for.js';

/*
 * Every secret herald can be given, each with a core no encoding changes (letters and digits) wrapped in the
 * characters URLs and JSON treat specially, so that it is found in the output whatever form it leaked in.
 */
const SECRETS = {
  requirepass: 'Req7core/p@ss%1',
  acl: 'Acl7core/p@ss%2',
  cluster: 'Clu7core/p@ss%3',
  webhook: 'Hoo7core/p@ss%4',
  api: 'Api7core/p@ss%5',
};
const CORES = ['Req7core', 'Acl7core', 'Clu7core', 'Hoo7core', 'Api7core', TEST_AUTH_TOKEN];
const ACL_USER = 'herald-app';
const enc = encodeURIComponent;

/** The secrets found in `output`, in any form; empty when it holds none. */
function leaksIn(output: string): string[] {
  const forms = [...CORES, ...Object.values(SECRETS), ...Object.values(SECRETS).map(enc)];
  const basic = [`${ACL_USER}:${SECRETS.acl}`, `hook:${SECRETS.webhook}`, `api:${SECRETS.api}`];
  return [...forms, ...basic.map((text) => Buffer.from(text).toString('base64'))].filter((form) =>
    output.includes(form),
  );
}

/** Lines of a worker's output that are not one of its JSON log lines. */
function foreignLines(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line !== '')
    .filter((line) => {
      try {
        return typeof (JSON.parse(line) as { msg?: unknown }).msg !== 'string';
      } catch {
        return true;
      }
    });
}

/** Waits for `pattern` in what `handle` has written; fails at once if it exits first. */
async function waitForOutput(handle: RunningProcess, pattern: RegExp): Promise<void> {
  await waitFor(
    () => {
      if (handle.child.exitCode !== null && !pattern.test(handle.output()))
        throw new Error(`exited: ${handle.output()}`);
      return pattern.test(handle.output());
    },
    { what: `${pattern} in the output`, timeout: 30_000, every: 50, detail: () => handle.output().slice(-2000) },
  );
}

describe('secrets in every form stay out of every output', () => {
  let single: LocalRedis;
  let clusterNode: LocalRedis;
  let sandbox: Sandbox;
  let env: { requirepass: Record<string, string>; acl: Record<string, string>; cluster: Record<string, string> };

  const admin = (redis: LocalRedis, password: string) => {
    const client = new Redis(redis.port, '127.0.0.1', { password, maxRetriesPerRequest: 1, retryStrategy: () => null });
    // Cut off with everyone else when a test changes the password.
    client.on('error', () => undefined);
    return client;
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
    single = await startLocalRedis({ extraArgs: ['--requirepass', SECRETS.requirepass] });
    const client = admin(single, SECRETS.requirepass);
    await client.call('ACL', 'SETUSER', ACL_USER, 'on', `>${SECRETS.acl}`, '~*', '&*', '+@all');
    client.disconnect();
    // A cluster of one master holding every slot: the cluster client's ways, for the price of one server.
    // Announced: a node that never met another does not know its own address, and would give clients none.
    clusterNode = await startLocalRedis({
      extraArgs: ['--cluster-enabled', 'yes', '--cluster-announce-ip', '127.0.0.1', '--requirepass', SECRETS.cluster],
    });
    const node = admin(clusterNode, SECRETS.cluster);
    await node.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
    await waitFor(async () => /cluster_state:ok/.test(String(await node.call('CLUSTER', 'INFO'))), {
      what: 'the one-node cluster to be ok',
      every: 100,
    });
    node.disconnect();

    const base = {
      TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      HERALD_PUBLIC_URL: `https://hook:${enc(SECRETS.webhook)}@hooks.example.com/herald`,
      HERALD_TWILIO_BASE_URL: sandbox.url.replace('://', `://api:${enc(SECRETS.api)}@`),
      HERALD_WEBHOOK_HOST: '127.0.0.1',
      HERALD_SHUTDOWN_TIMEOUT_MS: '2000',
    };
    env = {
      requirepass: { ...base, REDIS_URL: `redis://:${enc(SECRETS.requirepass)}@127.0.0.1:${single.port}` },
      acl: { ...base, REDIS_URL: `redis://${ACL_USER}:${enc(SECRETS.acl)}@127.0.0.1:${single.port}` },
      cluster: { ...base, REDIS_CLUSTER_NODES: `redis://:${enc(SECRETS.cluster)}@127.0.0.1:${clusterNode.port}` },
    };
  });

  afterAll(async () => {
    await sandbox.close();
    await single.stop();
    await clusterNode.stop();
  });

  /** The same settings with each Redis password replaced by a wrong one that holds the real one. */
  const withWrongPassword = (settings: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(settings).map(([key, value]) => [
        key,
        key.startsWith('REDIS') ? value.replace(/:([^:@/]*)@/, (_, password: string) => `:x${password}@`) : value,
      ]),
    );

  it('in the one line a worker ends with when it cannot start', async () => {
    const port = await findFreePort();
    const cases = [
      withWrongPassword(env.requirepass),
      withWrongPassword(env.cluster),
      // Nothing listening there; URLs that do not parse, the password written unencoded.
      { ...env.acl, REDIS_URL: `redis://${ACL_USER}:${enc(SECRETS.acl)}@127.0.0.1:${port}` },
      {
        ...env.acl,
        REDIS_URL: `redis://${ACL_USER}:${SECRETS.acl}@127.0.0.1:${single.port}`,
        HERALD_PUBLIC_URL: `https://hook:${SECRETS.webhook}@hooks.example.com`,
      },
    ];
    const results = await Promise.all(
      cases.map(async (settings) => {
        const run = spawnNode([WORKER_ENTRY], { ...settings, HERALD_PREFIX: uniquePrefix('leak') });
        return { exit: (await run.exited).code, output: run.output() };
      }),
    );
    for (const { exit, output } of results) {
      expect({ output, exit, leaks: leaksIn(output) }).toEqual({
        output: expect.stringMatching(/^herald: [^\n]+\n$/),
        exit: 1,
        leaks: [],
      });
    }
  });

  /**
   * Runs a worker on `kind`'s settings with a scheduled campaign (its Worker, and the exporter's Queues, stay open on
   * the connection), then changes the password under it and cuts its connections, so that every reconnection
   * fails; resolves with its output once it has logged the failures.
   */
  async function rotateUnderWorker(kind: 'acl' | 'cluster'): Promise<string> {
    const settings = {
      ...env[kind],
      HERALD_PREFIX: uniquePrefix('leak'),
      HERALD_WEBHOOK_PORT: String(await findFreePort()),
    };
    const csv = join(mkdtempSync(join(tmpdir(), 'herald-leak-')), 'r.csv');
    writeFileSync(csv, 'phone\n+14155550101\n');
    const send = ['send', csv, '--campaign', 'leak', '--from', '+14155550100', '--body', 'x', '--send-at', '+1h'];
    const sent = spawnNode([HERALD_BIN, ...send, '--rejected', `${csv}.rejected`], settings);
    expect({ kind, exit: (await sent.exited).code, output: sent.output() }).toMatchObject({ kind, exit: 0 });
    const worker = await startWorkerProcess(settings);
    const node = kind === 'cluster' ? clusterNode : single;
    const rotated = kind === 'cluster' ? 'rotated-cluster' : SECRETS.requirepass;
    const client = admin(node, kind === 'cluster' ? SECRETS.cluster : SECRETS.requirepass);
    try {
      await waitForOutput(worker, /"msg":"worker started"/);
      const metrics = await (await fetch(`http://127.0.0.1:${worker.metricsPort}/metrics`)).text();
      expect(metrics).toContain('herald_queue_jobs');
      if (kind === 'acl') await client.call('ACL', 'SETUSER', ACL_USER, 'resetpass', '>rotated-acl');
      else await client.config('SET', 'requirepass', rotated);
      const killer = admin(node, rotated);
      await killer.call('CLIENT', 'KILL', ...(kind === 'acl' ? ['USER', ACL_USER] : ['TYPE', 'normal']));
      // A cluster client says its slots could not be refreshed, a plain one WRONGPASS: both are logged.
      await waitForOutput(worker, /"msg":"redis connection error; reconnecting"/);
      await waitForOutput(worker, /"msg":"worker error"/);
      // Back as it was.
      if (kind === 'acl') await killer.call('ACL', 'SETUSER', ACL_USER, 'resetpass', `>${SECRETS.acl}`);
      else await killer.config('SET', 'requirepass', SECRETS.cluster);
      killer.disconnect();
    } finally {
      client.disconnect();
      worker.child.kill('SIGKILL');
      await worker.exited;
    }
    return worker.output();
  }

  it('in a worker’s log when its login fails after start-up (an ACL user, a cluster), which is JSON lines only', async () => {
    const outputs = await Promise.all([rotateUnderWorker('acl'), rotateUnderWorker('cluster')]);
    for (const output of outputs) {
      expect(output).toMatch(/"publicUrl":"https:\/\/hooks\.example\.com\/herald"/);
      expect({ foreign: foreignLines(output), leaks: leaksIn(output) }).toEqual({ foreign: [], leaks: [] });
    }
  }, 90_000);

  it('in the output of every CLI command, with the right password and a wrong one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-leak-'));
    const csv = join(dir, 'r.csv');
    writeFileSync(csv, 'phone\n+14155550101\n+1415555\n');
    const send = ['send', csv, '--campaign', 'cli', '--from', '+14155550100', '--body', 'x'];
    const scheduled = [...send, '--send-at', '+1h', '--rejected', join(dir, 'rejected.csv')];
    const limit = pLimit(4);
    const run = (settings: Record<string, string>, args: string[], prefix: string) =>
      limit(async () => {
        const handle = spawnNode([HERALD_BIN, ...args], { ...settings, HERALD_PREFIX: prefix });
        const { code } = await handle.exited;
        return { args: args.join(' '), wrong: settings !== env.acl, code, output: handle.output() };
      });
    // Every command with the right password (an ACL user), on one campaign: made, read, paused, resumed, cancelled.
    const prefix = uniquePrefix('leak-cli');
    const right = (async () => {
      const made = await Promise.all([run(env.acl, scheduled, prefix), run(env.acl, [...send, '--dry-run'], prefix)]);
      const reads = await Promise.all(
        [
          ['status', 'cli'],
          ['campaigns'],
          ['report', 'cli'],
          ['resend-failed', 'cli'],
          ['senders', '--json'],
          ['senders', 'resume', '+14155550100'],
        ].map((args) => run(env.acl, args, prefix)),
      );
      const changes = [];
      for (const args of [
        ['pause', 'cli'],
        ['resume', 'cli'],
        ['cancel', 'cli'],
      ])
        changes.push(await run(env.acl, args, prefix));
      return [...made, ...reads, ...changes];
    })();
    // With a wrong one, the ways a command connects: through a campaign store (status), the ingest (send) and a
    // plain connection (senders), on every kind of Redis.
    const wrong = Promise.all(
      [
        [env.requirepass, ['status', 'cli']],
        [env.requirepass, ['senders', 'resume', '+14155550100']],
        [env.acl, scheduled],
        [env.cluster, ['status', 'cli']],
        [env.cluster, scheduled],
      ].map(([settings, args]) => run(withWrongPassword(settings as Record<string, string>), args as string[], prefix)),
    );
    const results = [...(await right), ...(await wrong)];
    expect(results).toHaveLength(16);
    for (const result of results) expect({ ...result, leaks: leaksIn(result.output) }).toMatchObject({ leaks: [] });
    // They ran for real: the right password gets answers, a wrong one one line naming Redis.
    expect(results.find((result) => !result.wrong && result.args.startsWith('send'))).toMatchObject({ code: 0 });
    expect(results.find((result) => !result.wrong && result.args === 'cancel cli')).toMatchObject({ code: 0 });
    for (const result of results.filter((each) => each.wrong)) {
      expect(result).toMatchObject({
        code: 1,
        output: expect.stringMatching(/^herald: cannot reach (Redis|the Redis Cluster) at [^\n]*WRONGPASS[^\n]*\n$/),
      });
    }
    // The sandbox command takes the auth token too.
    const sandboxRun = spawnNode([HERALD_BIN, 'sandbox', '--port', '0'], env.requirepass);
    await waitForOutput(sandboxRun, /listening on/);
    await sandboxRun.stop();
    expect(leaksIn(sandboxRun.output())).toEqual([]);
  }, 120_000);
});
