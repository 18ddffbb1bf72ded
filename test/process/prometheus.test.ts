import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import twilio from 'twilio';

import { buildCampaignSpec } from '../../src/cli/campaign-options.js';
import type { CampaignName, CampaignSpec } from '../../src/domain/campaign.js';
import { runIngest } from '../../src/ingest/run-ingest.js';
import { findFreePort } from '../../src/local/free-port.js';
import { CampaignStore } from '../../src/queue/campaign-store.js';
import { type Keys, makeKeys } from '../../src/store/keys.js';
import { Ledger } from '../../src/store/ledger.js';
import { readLedger } from '../../src/store/read-ledger.js';
import { connectRedis } from '../../src/redis/redis-connection.js';
import { statusCallbackUrl } from '../../src/receipts/callback-url.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { readCounter, ROOT, startWorkerProcess, type WorkerProcess } from '../helpers/processes.js';
import { type PreviewPanel, renderDashboardPreview } from '../helpers/dashboard-preview.js';
import { type PrometheusServer, runPromtool, startPrometheus } from '../helpers/prometheus-server.js';
import {
  deleteKeys,
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  testRedisUrl,
  uniquePrefix,
  waitForFinished,
} from '../helpers/stack.js';
import { waitFor } from '../helpers/wait-for.js';

const DASHBOARD = join(ROOT, 'deploy', 'grafana', 'dashboards', 'herald.json');
const ALERTS = join(ROOT, 'deploy', 'prometheus', 'alerts.yml');
const CAMPAIGN = 'prom-1';
/** Twilio's test numbers, which the sandbox refuses with 21211, 21612, 21408, 21610 and 21614. */
const MAGIC_TO = ['+15005550001', '+15005550002', '+15005550003', '+15005550004', '+15005550009'];

interface Panel extends PreviewPanel {
  panels?: Panel[];
}

function dashboardPanels(): Panel[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] };
  const flat = (panels: Panel[]): Panel[] => panels.flatMap((panel) => [panel, ...flat(panel.panels ?? [])]);
  return flat(dashboard.panels);
}

/** A dashboard expression with Grafana's variables replaced as Grafana would for this campaign. */
function substitute(expr: string, rateInterval: string): string {
  return expr
    .replaceAll('$campaign', CAMPAIGN)
    .replaceAll('$sender', '.*')
    .replaceAll('$__rate_interval', rateInterval);
}

/** Every PromQL expression of the dashboard. The campaign ran within the last two minutes: every rate has samples. */
function dashboardQueries(): { title: string; expr: string }[] {
  return dashboardPanels().flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ title: panel.title, expr: substitute(target.expr, '2m') })),
  );
}

/**
 * Draws the dashboard's panels from this run's data and has headless Chromium photograph the page: the
 * screenshot in docs/observability.md (HERALD_DASHBOARD_PNG=docs/dashboard.png).
 */
async function writeDashboardPng(prometheus: PrometheusServer, start: number, path: string): Promise<void> {
  const end = Date.now() / 1000;
  const panels = await Promise.all(
    dashboardPanels().map(async (panel) => ({
      panel,
      data: await Promise.all(
        (panel.targets ?? []).map((target) => prometheus.queryRange(substitute(target.expr, '5s'), start, end, 1)),
      ),
    })),
  );
  const html = join(mkdtempSync(join(tmpdir(), 'herald-preview-')), 'dashboard.html');
  writeFileSync(
    html,
    renderDashboardPreview(`herald: campaign ${CAMPAIGN} (drawn from Prometheus)`, panels, [start, end]),
  );
  const height = Math.max(...panels.map(({ panel }) => panel.gridPos.y + panel.gridPos.h)) * 34 + 60;
  execFileSync('chromium', [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--hide-scrollbars',
    `--window-size=1572,${height}`,
    `--screenshot=${path}`,
    `file://${html}`,
  ]);
}

function writeCsv(good: number): string {
  const path = join(mkdtempSync(join(tmpdir(), 'herald-prom-')), 'recipients.csv');
  const lines = ['phone,name'];
  for (let i = 0; i < good; i++) lines.push(`+1415555${String(4000 + i)},N${i}`);
  for (const number of MAGIC_TO) lines.push(`${number},Magic`);
  lines.push('not-a-number,Bad');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

function campaignSpec(): CampaignSpec {
  // +15005550008 is Twilio's "From queue full" number: 21611 on every send, held back as throttling, then failed
  // when the (short) retry window runs out.
  const built = buildCampaignSpec(
    {
      campaign: CAMPAIGN,
      from: ['+14155550100', '+15005550008'],
      body: 'Hi {{name}}',
      media: [],
      toColumn: 'phone',
      // Not about the compliance rules: sent at any hour.
      transactional: true,
    },
    new Date(),
  );
  if (!built.ok) throw new Error(built.reason);
  return { ...built.spec, senders: built.spec.senders.map((entry) => ({ ...entry, mps: 10 })) };
}

describe('metrics scraped by a real Prometheus', () => {
  let connection: Redis;
  let keys: Keys;
  let store: CampaignStore;
  let ledger: Ledger;
  let sandbox: Sandbox;
  let prometheus: PrometheusServer | undefined;
  const workers: (WorkerProcess & { webhookPort: number })[] = [];

  const startWorker = async () => {
    const webhookPort = await findFreePort();
    const worker = await startWorkerProcess({
      REDIS_URL: testRedisUrl(),
      HERALD_PREFIX: keys.prefix,
      TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      HERALD_TWILIO_BASE_URL: sandbox.url,
      HERALD_ATTEMPTS: '2',
      // The "queue full" test number answers 21611 forever; a short retry window fails those recipients soon.
      HERALD_RETRY_WINDOW_MS: '2000',
      // Longer than the 1 s scrape interval (see exporter-lease.ts), short enough for a quick takeover.
      HERALD_METRICS_LEASE_MS: '2500',
      HERALD_PUBLIC_URL: `http://127.0.0.1:${webhookPort}`,
      HERALD_WEBHOOK_PORT: String(webhookPort),
      HERALD_WEBHOOK_HOST: '127.0.0.1',
    });
    workers.push({ ...worker, webhookPort });
    return workers.at(-1)!;
  };
  const scalar = async (expr: string) => Number((await prometheus!.query(expr))[0]?.value[1] ?? NaN);

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
    keys = makeKeys(uniquePrefix('prom'));
    store = new CampaignStore(connection, keys);
    ledger = new Ledger(connection, keys);
    sandbox = await startSandbox({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN, latencyMs: 20 });
  });

  afterAll(async () => {
    await prometheus?.stop();
    for (const worker of workers) {
      if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
      await worker.exited;
    }
    await sandbox.close();
    await deleteKeys(connection, keys.prefix);
    await connection.quit();
  });

  it('sums a campaign to exactly N across workers and a restart, and every dashboard query returns data', async () => {
    const [a, b] = await Promise.all([startWorker(), startWorker()]);
    prometheus = await startPrometheus({ rules: ALERTS, ports: [a!.metricsPort, b!.metricsPort] });
    // Prometheus applies discovered targets every 5 s; the campaign starts once both workers are scraped.
    await waitFor(async () => (await scalar('count(up == 1)')) === 2, { what: 'both workers scraped', every: 200 });
    const startedAt = Date.now() / 1000;

    const spec = campaignSpec();
    const summary = await runIngest(
      { connection, keys, store, ledger },
      { file: writeCsv(80), spec, rejectedPath: join(tmpdir(), `${CAMPAIGN}.rejected.csv`), chunkSize: 20 },
    );
    const n = summary.queued;
    expect(n).toBe(85);

    // Mid-campaign, the worker that exports the totals is stopped and a new one joins.
    await waitFor(async () => ((await store.counts(spec.name))['sent'] ?? 0) >= 10, { what: 'some sends', every: 200 });
    const exporter = (await readCounter(a!.metricsPort, 'herald_campaign_exporter')) === 1 ? a! : b!;
    exporter.child.kill('SIGTERM');
    const c = await startWorker();
    prometheus.setTargets(workers.map((worker) => worker.metricsPort));
    await waitForFinished(store, spec.name);
    await waitFor(async () => (await scalar(`up{instance="127.0.0.1:${c.metricsPort}"}`)) === 1, {
      what: 'the new worker scraped',
      every: 200,
    });
    expect(await exporter.exited).toEqual({ code: 0, signal: null });
    const live = workers.filter((worker) => worker !== exporter);

    // Twilio's receipts for every message sent, through the live workers' webhooks: every fifth undelivered,
    // some repeated, some out of order, and one forged.
    let delivered = 0;
    const undelivered = new Map<string, number>();
    let i = 0;
    for await (const entry of readLedger(connection, keys, spec.name as CampaignName)) {
      if (entry.state !== 'sent') continue;
      const worker = live[i % live.length]!;
      const final =
        i % 5 === 0
          ? { MessageStatus: 'undelivered', ErrorCode: i % 10 === 0 ? '30003' : '30005' }
          : { MessageStatus: 'delivered' };
      const order = i % 7 === 0 ? [final, { MessageStatus: 'sent' }] : [{ MessageStatus: 'sent' }, final, final];
      for (const fields of order) {
        const form = {
          MessageSid: entry.sid,
          To: entry.to,
          From: '+14155550100',
          AccountSid: TEST_ACCOUNT_SID,
          ...fields,
        };
        const url = statusCallbackUrl(`http://127.0.0.1:${worker.webhookPort}`, spec.name);
        const signature = twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, url, form);
        const response = await fetch(`http://127.0.0.1:${worker.webhookPort}/twilio/campaigns/${spec.name}/status`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
          body: new URLSearchParams(form).toString(),
        });
        expect(response.status).toBe(204);
      }
      if ('ErrorCode' in final) undelivered.set(final.ErrorCode, (undelivered.get(final.ErrorCode) ?? 0) + 1);
      else delivered += 1;
      i += 1;
    }
    const forged = await fetch(`http://127.0.0.1:${c.webhookPort}/twilio/campaigns/${spec.name}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'Zm9yZ2Vk' },
      body: 'MessageSid=SM0&MessageStatus=delivered',
    });
    expect(forged.status).toBe(403);

    const counts = await store.counts(spec.name);
    const filter = `{campaign="${CAMPAIGN}"}`;
    const seenDelivered = () => scalar(`sum(herald_messages_delivered_total${filter})`);
    await waitFor(async () => (await seenDelivered()) === delivered, {
      what: `Prometheus to see the ${delivered} receipts of delivered messages`,
      every: 200,
      detail: seenDelivered,
    });

    // Totals: exactly N, however many workers exported over time; exactly one exports now.
    expect(await scalar(`sum(herald_messages_queued_total${filter})`)).toBe(n);
    expect(
      await scalar(
        `sum(herald_messages_sent_total${filter}) + sum(herald_messages_failed_total${filter}) + sum(herald_messages_unknown_total${filter})`,
      ),
    ).toBe(n);
    expect(await scalar(`sum(herald_messages_failed_total${filter})`)).toBe(counts['failed']);
    expect(await scalar(`sum(herald_rows_rejected_total${filter})`)).toBe(1);
    expect(await scalar(`sum(herald_messages_undelivered_total${filter})`)).toBe(i - delivered);
    expect(await scalar('sum(herald_campaign_exporter)')).toBe(1);
    // Never two exporters at once, at any second of the run (the restart included).
    expect(await scalar(`max_over_time(count(herald_messages_queued_total${filter})[3m:1s])`)).toBe(1);

    const failedByCode = await prometheus.query(
      `sum by (code, reason) (herald_messages_failed_total{campaign="${CAMPAIGN}",code!=""})`,
    );
    const codes = Object.fromEntries(failedByCode.map((s) => [s.metric['code'], s.metric['reason']]));
    expect(codes['21611']).toBe('throttled');
    for (const code of Object.keys(codes)) expect(Number(counts[`failed:sms:${code}`])).toBeGreaterThan(0);
    const undeliveredByCode = await prometheus.query(
      `sum by (code) (herald_messages_undelivered_total{campaign="${CAMPAIGN}",code!=""})`,
    );
    expect(Object.fromEntries(undeliveredByCode.map((s) => [s.metric['code'], Number(s.value[1])]))).toEqual(
      Object.fromEntries(undelivered),
    );
    expect(
      await scalar(`sum(herald_send_attempts_total{campaign="${CAMPAIGN}",outcome="retry",reason="throttled"})`),
    ).toBeGreaterThan(0);

    // Every expression on the dashboard answers with data.
    const empty: string[] = [];
    for (const { title, expr } of dashboardQueries()) {
      const samples = await prometheus.query(expr);
      if (samples.length === 0 || samples.every((s) => Number.isNaN(Number(s.value[1]))))
        empty.push(`${title}: ${expr}`);
    }
    expect(empty).toEqual([]);
    expect(await prometheus.labelValues('campaign', 'herald_messages_queued_total')).toEqual([CAMPAIGN]);
    expect(await prometheus.labelValues('sender', `herald_sender_limit_mps{campaign=~"${CAMPAIGN}"}`)).toHaveLength(2);

    // The alert rules load and evaluate without error; the stopped worker shows as down.
    const rules = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as {
      data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
    };
    const loaded = rules.data.groups.flatMap((group) => group.rules);
    expect(loaded.length).toBeGreaterThanOrEqual(6);
    expect(loaded.filter((rule) => rule.health !== 'ok')).toEqual([]);
    expect(await scalar(`up{instance="127.0.0.1:${exporter.metricsPort}"}`)).toBe(0);

    // promtool accepts what both kinds of worker serve: the exporter and a non-exporter.
    for (const worker of live) {
      const text = await (await fetch(`http://127.0.0.1:${worker.metricsPort}/metrics`)).text();
      expect(await runPromtool(['check', 'metrics'], text)).toEqual({ ok: true, output: '' });
    }

    const png = process.env['HERALD_DASHBOARD_PNG'];
    if (png !== undefined) await writeDashboardPng(prometheus, startedAt, png);
  });
});
