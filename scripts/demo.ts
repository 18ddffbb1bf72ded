import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { parseCampaignName } from '../src/domain/campaign.js';
import {
  type ChildHandle,
  HERALD_BIN,
  HERALD_ROOT,
  startSandboxProcess,
  startWorkerProcess,
} from '../src/local/herald-processes.js';
import { type LocalRedis, startLocalRedis } from '../src/local/redis-server.js';
import { CampaignStore } from '../src/queue/campaign-store.js';
import { makeKeys } from '../src/store/keys.js';
import { readLedger } from '../src/store/read-ledger.js';
import { connectRedis } from '../src/redis/redis-connection.js';
import { describeCode } from '../src/twilio-errors/twilio-errors.js';
import { stopChildrenOnExit } from '../src/local/children.js';

/**
 * `npm run demo`: a whole herald stack on this machine — a private redis-server, the Twilio sandbox and two
 * worker processes — sends the shipped example campaign, prints what happened and stops everything it started.
 */
const root = HERALD_ROOT;
const outDir = process.env['HERALD_DEMO_DIR'] ?? join(root, '.herald', 'demo');
const csv = join(root, 'scripts', 'demo', 'recipients.csv');
const accountSid = `AC${'de30'.repeat(8)}`;
// A fresh token each run unless one is given: the demo is also how the suite proves the token is never written.
const authToken = process.env['TWILIO_AUTH_TOKEN'] ?? randomBytes(16).toString('hex');
const campaign = 'demo';

const children: ChildHandle[] = [];
let redis: LocalRedis | undefined;

/** Runs `herald <args>` with the terminal as its output, as a user would. */
function runHerald(args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [HERALD_BIN, ...args], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
      stdio: 'inherit',
    });
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

async function stopAll(): Promise<void> {
  await Promise.all(children.map((child) => child.stop()));
  await redis?.stop();
}

async function main(): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  console.log('herald demo: starting a private redis-server, the Twilio sandbox and two workers…');
  redis = await startLocalRedis({ install: true, dir: join(outDir, 'redis'), appendOnly: true });
  const sandbox = await startSandboxProcess({ accountSid, authToken, logFile: join(outDir, 'sandbox.log') });
  children.push(sandbox);
  const sandboxUrl = sandbox.url;

  const common = {
    REDIS_URL: redis.url,
    TWILIO_ACCOUNT_SID: accountSid,
    TWILIO_AUTH_TOKEN: authToken,
    HERALD_TWILIO_BASE_URL: sandboxUrl,
    LOG_LEVEL: 'info',
    // The demo's sends take milliseconds; a short window lets Ctrl-C end it promptly.
    HERALD_SHUTDOWN_TIMEOUT_MS: '5000',
  };
  const workers = await Promise.all(
    [1, 2].map((number) => startWorkerProcess(common, { logFile: join(outDir, `worker-${number}.log`) })),
  );
  children.push(...workers);
  const metricsPorts = workers.map((worker) => worker.metricsPort);
  console.log(`  redis ${redis.url}, sandbox ${sandboxUrl}, workers' metrics on ports ${metricsPorts.join(' and ')}\n`);

  const sendArgs = [
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
    '--transactional',
    '--rejected',
    join(outDir, `${campaign}.rejected.csv`),
  ];
  console.log(`$ herald send ${relative(root, csv)} --campaign ${campaign} --from +14155550100 --from +14155550199 \\`);
  console.log(
    '    --from whatsapp:+14155238886 --body "Hi {{first_name}}, your code is {{code}}" --media "{{image}}" \\',
  );
  console.log('    --default-country US --transactional\n');
  console.log(
    '  (--transactional: the message is a code the recipient asked for, not marketing, so US quiet hours and the\n' +
      '  frequency cap do not apply and the demo sends at any hour; leave it out for marketing: herald then holds each\n' +
      "  US recipient outside their state's legal hours until their next legal minute)\n",
  );
  const code = await runHerald(sendArgs, { REDIS_URL: redis.url });
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

  const sandboxRequests = await sandbox.inspect<{ requests: unknown[] }>('/sandbox/requests');
  // One worker at a time exports the campaign totals kept in Redis (herald_campaign_exporter 1): show its.
  const scraped = await Promise.all(
    metricsPorts.map(async (port) => {
      const url = `http://127.0.0.1:${port}/metrics`;
      return { url, text: await (await fetch(url)).text() };
    }),
  );
  const exporter = scraped.find(({ text }) => /^herald_campaign_exporter 1$/m.test(text)) ?? scraped[0]!;
  const metricsUrl = exporter.url;
  // Series at 0 (no receipts in the demo, channels without failures) would bury the ones that moved.
  const metricLines = exporter.text
    .split('\n')
    .filter((line) => /^herald_(messages|rows)_/.test(line) && !line.endsWith(' 0'));

  console.log('\nSummary');
  console.log(
    `  queued ${counts['queued'] ?? 0}, sent ${counts['sent'] ?? 0}, failed ${counts['failed'] ?? 0}, unknown ${counts['unknown'] ?? 0}, rejected at ingest ${counts['rejected'] ?? 0}`,
  );
  for (const [failure, count] of failures) {
    console.log(`  failed: ${count} × ${failure} (${describeCode(failure).reason})`);
  }
  console.log(`  the sandbox received ${sandboxRequests.requests.length} create requests`);
  console.log(`\nMetrics (${metricsUrl}):`);
  for (const line of metricLines) console.log(`  ${line}`);
  console.log(`\nLogs, the rejected rows and Redis's data are in ${relative(process.cwd(), outDir) || outDir}/`);
}

stopChildrenOnExit();
main()
  .catch((error: unknown) => {
    console.error(`herald demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    console.log('Stopping the workers, the sandbox and redis-server…');
    await stopAll();
  });
