import { mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import pLimit from 'p-limit';

import type { CampaignName } from '../../src/domain/campaign.js';
import { runIngest } from '../../src/ingest/run-ingest.js';
import { findFreePort } from '../../src/local/free-port.js';
import { CampaignStore } from '../../src/queue/campaign-store.js';
import { type Keys, makeKeys } from '../../src/store/keys.js';
import { Ledger } from '../../src/store/ledger.js';
import { readLedger } from '../../src/store/read-ledger.js';
import { connectRedis } from '../../src/redis/redis-connection.js';
import { ReceiptStore } from '../../src/receipts/receipt-store.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { testSpec } from '../helpers/campaign.js';
import { readCounter, startWorkerProcess, type WorkerProcess } from '../helpers/processes.js';
import {
  deleteKeys,
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  testRedisUrl,
  uniquePrefix,
  waitForFinished,
} from '../helpers/stack.js';
import { waitFor } from '../helpers/wait-for.js';

const MAX_CONNECTIONS = 32;
const RECIPIENTS = 60;

/**
 * Resident memory (bytes) of a process, and the connections to `port` it holds open (its sockets whose local port
 * it is, listener excluded), from /proc. Connections the kernel has accepted for it and it has not taken yet are
 * not the process's: they are not counted.
 */
function usageOf(pid: number, port: number): { rss: number; connections: number } {
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode !== undefined) inodes.add(inode);
    } catch {
      // Closed between the listing and the read.
    }
  }
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let connections = 0;
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, state, inode] = [fields[1], fields[3], fields[9]];
      if (local?.endsWith(`:${hexPort}`) && state !== '0A' && inode !== undefined && inodes.has(inode)) connections++;
    }
  }
  return { rss: Number(rss) * 1024, connections };
}

/** Opens a connection and writes `text`; the socket is kept until the server or the test closes it. */
function openWith(port: number, text: string): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(text);
      resolve(socket);
    });
    socket.on('error', () => resolve(socket));
  });
}

describe('a worker whose webhook is flooded while every status callback is lost', () => {
  let connection: Redis;
  let keys: Keys;
  let sandbox: Sandbox;
  let worker: WorkerProcess | undefined;
  let webhookPort: number;

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('abuse'));
    sandbox = await startSandbox({
      accountSid: TEST_ACCOUNT_SID,
      authToken: TEST_AUTH_TOKEN,
      callbacks: {
        sentDelayMs: { min: 5, max: 50 },
        deliveredDelayMs: { min: 20, max: 200 },
        undeliveredShare: 0.3,
        seed: 11,
      },
    });
    webhookPort = await findFreePort();
    // Twilio is told to call a port where nothing listens: every callback is lost, as when the webhook answered
    // 503 for as long as Redis was away. The worker's webhook listens elsewhere, for the flood.
    const lostPort = await findFreePort();
    worker = await startWorkerProcess({
      REDIS_URL: testRedisUrl(),
      HERALD_PREFIX: keys.prefix,
      TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      HERALD_TWILIO_BASE_URL: sandbox.url,
      HERALD_PUBLIC_URL: `http://127.0.0.1:${lostPort}`,
      HERALD_WEBHOOK_PORT: String(webhookPort),
      HERALD_WEBHOOK_HOST: '127.0.0.1',
      HERALD_WEBHOOK_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
      HERALD_RECEIPT_FETCH_AFTER_MS: '1000',
    });
  });

  afterAll(async () => {
    if (worker !== undefined && worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await worker?.exited;
    await sandbox.close();
    await deleteKeys(connection, keys.prefix);
    await connection.quit();
  });

  it('keeps its memory and connections bounded, sends the campaign, and fetches every lost receipt', async () => {
    const pid = worker!.child.pid!;
    const before = usageOf(pid, webhookPort);
    const peak = { ...before };
    const sampler = setInterval(() => {
      const now = usageOf(pid, webhookPort);
      peak.rss = Math.max(peak.rss, now.rss);
      peak.connections = Math.max(peak.connections, now.connections);
    }, 50);

    // The flood: clients that never finish their headers, bodies far over the limit sent as fast as the socket
    // takes them, and a stream of unsigned posts.
    const path = '/twilio/campaigns/abuse/status';
    const form = 'content-type: application/x-www-form-urlencoded';
    const held: Socket[] = [];
    let flooding = true;
    const floodStarted = Date.now();
    const slow = (async () => {
      for (let i = 0; i < 400 && flooding; i++) held.push(await openWith(webhookPort, `POST ${path} HTTP/1.1\r\n`));
    })();
    const oversized = (async () => {
      const chunk = Buffer.alloc(64 * 1024, 97);
      for (let i = 0; i < 150 && flooding; i++) {
        const socket = await openWith(
          webhookPort,
          `POST ${path} HTTP/1.1\r\nhost: x\r\n${form}\r\ntransfer-encoding: chunked\r\nx-twilio-signature: ${'A'.repeat(27)}=\r\n\r\n`,
        );
        for (let j = 0; j < 16 && socket.writable; j++) socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
        held.push(socket);
      }
    })();
    const limit = pLimit(20);
    const unsigned = Promise.all(
      Array.from({ length: 1500 }, () =>
        limit(() =>
          flooding
            ? fetch(`http://127.0.0.1:${webhookPort}${path}`, {
                method: 'POST',
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                body: 'MessageSid=SM0&MessageStatus=delivered',
              }).then(
                (response) => response.status,
                () => 0,
              )
            : 0,
        ),
      ),
    );

    // Meanwhile, a campaign.
    const spec = { ...testSpec({ campaign: 'abuse', from: ['+14155550100'], body: 'Hi {{name}}' }) };
    const senders = spec.senders.map((entry) => ({ ...entry, mps: 30 }));
    const file = join(mkdtempSync(join(tmpdir(), 'herald-abuse-')), 'recipients.csv');
    const rows = Array.from({ length: RECIPIENTS }, (_, i) => `+1415555${6000 + i},N${i}`);
    writeFileSync(file, `phone,name\n${rows.join('\n')}\n`);
    const store = new CampaignStore(connection, keys);
    await runIngest(
      { connection, keys, store, ledger: new Ledger(connection, keys) },
      { file, spec: { ...spec, senders }, rejectedPath: join(tmpdir(), 'abuse.rejected.csv'), chunkSize: 20 },
    );
    await waitForFinished(store, spec.name as CampaignName, 60_000);
    const statuses = await unsigned;
    flooding = false;
    await Promise.all([slow, oversized]);
    clearInterval(sampler);
    for (const socket of held) socket.destroy();

    expect(await store.counts(spec.name)).toMatchObject({ queued: RECIPIENTS, sent: RECIPIENTS });
    // Refused, or dropped at the connection limit; never taken.
    expect(statuses.filter((status) => status !== 403 && status !== 0)).toEqual([]);
    expect(statuses.filter((status) => status === 403).length).toBeGreaterThan(0);
    // The flood filled the webhook to its limit of connections, and never past it but for the few being closed as
    // they arrive (accepted, then closed on the next turn of the event loop).
    expect(peak.connections).toBeGreaterThanOrEqual(MAX_CONNECTIONS);
    expect(peak.connections).toBeLessThanOrEqual(MAX_CONNECTIONS + 8);
    expect(peak.rss - before.rss).toBeLessThan(64 * 1024 * 1024);
    const rejected = (reason: string) => readCounter(worker!.metricsPort, 'herald_webhook_rejected_total', { reason });
    expect(await rejected('connections')).toBeGreaterThan(0);
    expect(await rejected('unsigned')).toBeGreaterThan(0);
    expect((await rejected('too-large')) + (await rejected('timeout'))).toBeGreaterThan(0);
    // Logged at a bounded rate: per reason, the first at once and at most one more line each 10 s; not one line per
    // request.
    const lines = worker!
      .output()
      .split('\n')
      .filter((line) => line.includes('webhook request rejected'));
    const reasons = new Set(lines.map((line) => (JSON.parse(line) as { reason: string }).reason));
    const intervals = Math.ceil((Date.now() - floodStarted) / 10_000) + 1;
    expect(lines.length).toBeLessThanOrEqual(reasons.size * 2 * intervals);
    expect(lines.length * 20).toBeLessThan(statuses.length);

    // Every receipt was lost; the sweep fetched each final status from the sandbox.
    await sandbox.callbacksSettled();
    expect(sandbox.callbacks().filter((record) => record.status !== null)).toEqual([]);
    const receipts = new ReceiptStore(connection, keys);
    const settled = async () => {
      const counts = await store.counts(spec.name);
      return (counts['delivered'] ?? 0) + (counts['undelivered'] ?? 0);
    };
    await waitFor(async () => (await settled()) === RECIPIENTS, {
      what: 'every receipt to be fetched',
      timeout: 60_000,
      every: 100,
      detail: settled,
    });
    const lastStatus = new Map<string, string>();
    for (const record of sandbox.callbacks()) lastStatus.set(record.messageSid, record.params['MessageStatus'] ?? '');
    for await (const entry of readLedger(connection, keys, spec.name as CampaignName)) {
      if (entry.state !== 'sent') throw new Error(`${entry.to} is ${entry.state}`);
      expect((await receipts.get(spec.name as CampaignName, entry.to))?.status).toBe(lastStatus.get(entry.sid));
    }
    expect(await connection.zcard(keys.awaitingReceipts)).toBe(0);
    expect(await readCounter(worker!.metricsPort, 'herald_receipts_fetched_total', { result: 'recorded' })).toBe(
      RECIPIENTS,
    );
  });
});
