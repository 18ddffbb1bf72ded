import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { parseCampaignName } from '../src/domain/campaign.js';
import { findFreePort } from '../src/local/free-port.js';
import { type LocalRedis, startLocalRedis } from '../src/local/redis-server.js';
import { CampaignStore } from '../src/queue/campaign-store.js';
import { makeKeys } from '../src/queue/keys.js';
import { readLedger } from '../src/queue/read-ledger.js';
import { connectRedis } from '../src/queue/redis-connection.js';
import { PERMANENT_CODES } from '../src/send/classify.js';

/**
 * `npm run demo`: a whole herald stack on this machine — a private redis-server, the Twilio sandbox and two
 * worker processes — sends the shipped example campaign, prints what happened and stops everything it started.
 */
const root = join(import.meta.dirname, '..', '..');
const outDir = process.env['HERALD_DEMO_DIR'] ?? join(root, '.herald', 'demo');
const csv = join(root, 'scripts', 'demo', 'recipients.csv');
const herald = join(root, 'bin', 'herald.js');
const accountSid = `AC${'de30'.repeat(8)}`;
// A fresh token each run unless one is given: the demo is also how the suite proves the token is never written.
const authToken = process.env['TWILIO_AUTH_TOKEN'] ?? randomBytes(16).toString('hex');
const campaign = 'demo';

const children: ChildProcess[] = [];
let redis: LocalRedis | undefined;

/**
 * Children get only what the demo gives them (and PATH): a HERALD_PREFIX or HERALD_CONCURRENCY exported in the
 * user's shell must not change the demo.
 */
function childEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env };
}

function start(name: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(join(outDir, `${name}.log`));
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  children.push(child);
  return child;
}

function waitForOutput(child: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code} before it was ready`)));
  });
}

async function waitForReady(url: string, what: string): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`${what} did not become ready at ${url}`);
}

function run(args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: childEnv(env), stdio: 'inherit' });
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

async function stopAll(): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  await redis?.stop();
}

async function main(): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  console.log('herald demo: starting a private redis-server, the Twilio sandbox and two workers…');
  redis = await startLocalRedis({ install: true, dir: join(outDir, 'redis'), appendOnly: true });
  const sandboxPort = await findFreePort();
  const sandbox = start('sandbox', [herald, 'sandbox', '--port', String(sandboxPort)], {
    TWILIO_ACCOUNT_SID: accountSid,
    TWILIO_AUTH_TOKEN: authToken,
  });
  await waitForOutput(sandbox, /listening on/, 'the sandbox');
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;

  const metricsPorts = [await findFreePort(), await findFreePort()];
  const common = {
    REDIS_URL: redis.url,
    TWILIO_ACCOUNT_SID: accountSid,
    TWILIO_AUTH_TOKEN: authToken,
    HERALD_TWILIO_BASE_URL: sandboxUrl,
    LOG_LEVEL: 'info',
  };
  metricsPorts.forEach((port, index) =>
    start(`worker-${index + 1}`, [join(root, 'dist', 'workers', 'sender.js')], {
      ...common,
      HERALD_METRICS_PORT: String(port),
      HERALD_METRICS_HOST: '127.0.0.1',
    }),
  );
  await Promise.all(
    metricsPorts.map((port, index) => waitForReady(`http://127.0.0.1:${port}/readyz`, `worker ${index + 1}`)),
  );
  console.log(`  redis ${redis.url}, sandbox ${sandboxUrl}, workers' metrics on ports ${metricsPorts.join(' and ')}\n`);

  const sendArgs = [
    herald,
    'send',
    csv,
    '--campaign',
    campaign,
    '--from',
    '+14155550100',
    '--from',
    '+14155550199',
    '--from',
    'whatsapp:+14155238886',
    '--body',
    'Hi {{first_name}}, your code is {{code}}',
    '--media',
    '{{image}}',
    '--default-country',
    'US',
    '--rejected',
    join(outDir, `${campaign}.rejected.csv`),
  ];
  console.log(`$ herald send ${relative(root, csv)} --campaign ${campaign} --from +14155550100 --from +14155550199 \\`);
  console.log(
    '    --from whatsapp:+14155238886 --body "Hi {{first_name}}, your code is {{code}}" --media "{{image}}" \\',
  );
  console.log('    --default-country US\n');
  const code = await run(sendArgs, { REDIS_URL: redis.url });
  if (code !== 0) throw new Error(`herald send exited with ${code}`);

  const client = await connectRedis(redis.url, { role: 'command' });
  const keys = makeKeys('herald');
  const store = new CampaignStore(client, keys);
  const name = parseCampaignName(campaign);
  if (!name.ok) throw new Error(name.reason);
  for (let waited = 0; (await store.get(name.name))?.state !== 'finished'; waited += 200) {
    if (waited > 60_000) throw new Error('the campaign did not finish within 60 s; see the worker logs');
    await sleep(200);
  }
  const counts = await store.counts(name.name);
  const failures = new Map<string, number>();
  for await (const entry of readLedger(client, keys, name.name)) {
    if (entry.state === 'failed') failures.set(entry.code, (failures.get(entry.code) ?? 0) + 1);
  }
  await client.quit();

  const sandboxRequests = (await (await fetch(`${sandboxUrl}/sandbox/requests`)).json()) as { requests: unknown[] };
  // One worker at a time exports the campaign totals kept in Redis (herald_campaign_exporter 1): show its.
  const scraped = await Promise.all(
    metricsPorts.map(async (port) => {
      const url = `http://127.0.0.1:${port}/metrics`;
      return { url, text: await (await fetch(url)).text() };
    }),
  );
  const exporter = scraped.find(({ text }) => /^herald_campaign_exporter 1$/m.test(text)) ?? scraped[0]!;
  const metricsUrl = exporter.url;
  const metricLines = exporter.text.split('\n').filter((line) => /^herald_(messages|rows)_/.test(line));

  console.log('\nSummary');
  console.log(
    `  queued ${counts['queued'] ?? 0}, sent ${counts['sent'] ?? 0}, failed ${counts['failed'] ?? 0}, unknown ${counts['unknown'] ?? 0}, rejected at ingest ${counts['rejected'] ?? 0}`,
  );
  for (const [failure, count] of failures) {
    console.log(
      `  failed: ${count} × ${failure} (${PERMANENT_CODES[Number(failure)]?.reason ?? 'see the worker logs'})`,
    );
  }
  console.log(`  the sandbox received ${sandboxRequests.requests.length} create requests`);
  console.log(`\nMetrics (${metricsUrl}):`);
  for (const line of metricLines) console.log(`  ${line}`);
  console.log(`\nLogs, the rejected rows and Redis's data are in ${relative(process.cwd(), outDir) || outDir}/`);
}

main()
  .catch((error: unknown) => {
    console.error(`herald demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    console.log('Stopping the workers, the sandbox and redis-server…');
    await stopAll();
  });
