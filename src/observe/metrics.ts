import { Counter, Gauge, Histogram, Registry } from 'prom-client';

import { CHANNELS } from '../domain/channel.js';
import type { CampaignCounts, CampaignStore } from '../queue/campaign-store.js';
import type { SendEvents } from './send-events.js';

export interface MetricsOptions {
  store: CampaignStore;
  events: SendEvents;
  /** Campaigns that finished longer ago than this are no longer exported, to bound label cardinality. */
  finishedRetentionMs: number;
}

/** Campaign totals kept in Redis: exact across every process and restart. */
const CAMPAIGN_TOTALS = [
  ['queued', 'herald_messages_queued_total', 'Recipients queued for sending (each recipient once per campaign).'],
  ['sent', 'herald_messages_sent_total', 'Messages Twilio accepted (HTTP 201).'],
  ['failed', 'herald_messages_failed_total', 'Recipients failed for good (a permanent error, or retries ran out).'],
  [
    'unknown',
    'herald_messages_unknown_total',
    'Recipients whose send may have reached Twilio without an answer; never resent.',
  ],
] as const;

/**
 * The worker's Prometheus registry. Campaign totals are read from Redis at scrape time, so they survive the
 * short-lived producer and restarted workers; attempts and latencies are this process's own.
 */
export function createMetrics(options: MetricsOptions): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({});

  let redisUp: Gauge | undefined;
  let snapshot: Promise<Map<string, CampaignCounts>> | undefined;
  // One Redis read per scrape feeds all the campaign series, however many of them collect() asks for. When Redis
  // is away the series are left out rather than failing the scrape, so the process's own metrics still arrive.
  const readCounts = () =>
    (snapshot ??= readCampaignCounts(options)
      .then((counts) => (redisUp?.set(1), counts))
      .catch(() => (redisUp?.set(0), new Map<string, CampaignCounts>()))
      .finally(() => setImmediate(() => (snapshot = undefined))));
  redisUp = new Gauge({
    name: 'herald_redis_up',
    help: '1 when this scrape could read the campaign totals from Redis, else 0 (and those series are absent).',
    registers: [registry],
    async collect() {
      await readCounts();
    },
  });

  for (const [field, name, help] of CAMPAIGN_TOTALS) {
    new Counter({
      name,
      help,
      labelNames: ['campaign', 'channel'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const [campaign, counts] of await readCounts()) {
          for (const channel of CHANNELS) {
            const value = counts[`${field}:${channel}`];
            if (value !== undefined) this.inc({ campaign, channel }, value);
          }
        }
      },
    });
  }
  new Counter({
    name: 'herald_rows_rejected_total',
    help: 'CSV rows refused at ingest (bad number, missing column, unsendable content, …).',
    labelNames: ['campaign'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [campaign, counts] of await readCounts()) this.inc({ campaign }, counts['rejected'] ?? 0);
    },
  });

  const attempts = new Counter({
    name: 'herald_send_attempts_total',
    help: 'Send attempts made by this process, by outcome (sent, failed, unknown, retry, skipped).',
    labelNames: ['campaign', 'sender', 'channel', 'outcome', 'code'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'herald_send_duration_seconds',
    help: 'Time the Twilio create call took, by sender.',
    labelNames: ['sender'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 15],
    registers: [registry],
  });
  new Gauge({
    name: 'herald_worker_up',
    help: 'Always 1 while this worker process serves metrics.',
    registers: [registry],
  }).set(1);

  options.events.on('attempt', (attempt) => {
    attempts.inc({
      campaign: attempt.campaign,
      sender: attempt.senderId,
      channel: attempt.channel,
      outcome: attempt.outcome,
      code: attempt.code ?? '',
    });
    if (attempt.durationSeconds !== undefined) latency.observe({ sender: attempt.senderId }, attempt.durationSeconds);
  });
  return registry;
}

async function readCampaignCounts(options: MetricsOptions): Promise<Map<string, CampaignCounts>> {
  const out = new Map<string, CampaignCounts>();
  const now = Date.now();
  for (const campaign of await options.store.allNames()) {
    const record = await options.store.get(campaign);
    if (record === undefined) continue;
    if (record.finishedAt !== undefined && now - Date.parse(record.finishedAt) > options.finishedRetentionMs) continue;
    out.set(campaign, await options.store.counts(record.spec.name));
  }
  return out;
}
