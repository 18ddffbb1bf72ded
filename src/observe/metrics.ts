import { Gauge, Registry } from 'prom-client';

import type { PriceTable } from '../estimate/price-table.js';
import { registerCampaignMetrics } from './campaign-metrics.js';
import { registerComplianceMetrics } from './compliance-metrics.js';
import type { ExporterLease } from './exporter-lease.js';
import { registerProcessMetrics } from './process-metrics.js';
import { EMPTY_RATE_SNAPSHOT, type RateSnapshot, registerRateMetrics } from './rate-metrics.js';
import { registerReceiptMetrics } from './receipt-metrics.js';
import type { TotalsReader } from './read-totals.js';
import type { SendEvents } from './send-events.js';
import type { RedisMemory } from '../redis/redis-memory.js';

export interface MetricsOptions {
  events: SendEvents;
  /** Decides whether this process exports the campaign totals kept in Redis. */
  lease: ExporterLease;
  totals: TotalsReader;
  /** Reads the holds and the groups' daily counts (only the exporter calls it); absent, no such series. */
  rates?: () => Promise<RateSnapshot>;
  /** Create calls in flight in this process now. */
  inFlight: () => number;
  /** The queues this process serves, live and parked; absent, no such series. */
  queues?: () => { live: number; parked: number };
  /**
   * Finished campaigns leave the Redis-held series this long after they finish, and a campaign leaves this
   * process's own series when it has had no attempt here for as long.
   */
  retentionMs: number;
  /** Prices the cost estimate of each campaign. */
  prices: PriceTable;
  /** What this process last read of Redis's memory; absent, no memory series. */
  redisMemory?: () => RedisMemory | undefined;
}

export interface Metrics {
  registry: Registry;
  /** Brings the Redis-held series up to date; called before each scrape. */
  refresh(): Promise<void>;
}

/**
 * The worker's Prometheus registry: its own attempts, latencies and health, plus, in the one process that holds
 * the exporter lease, the campaign totals read from Redis at scrape time, which survive the short-lived
 * producer and restarted workers.
 */
export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  const fillCampaigns = registerCampaignMetrics(registry, options.prices);
  const fillRates = registerRateMetrics(registry);
  const own = registerProcessMetrics(registry, {
    events: options.events,
    inFlight: options.inFlight,
    ...(options.queues === undefined ? {} : { queues: options.queues }),
    idleRetentionMs: options.retentionMs,
  });
  registerReceiptMetrics(registry, options.events);
  registerComplianceMetrics(registry, options.events);
  const redisUp = new Gauge({
    name: 'herald_redis_up',
    help: '1 when this scrape could reach Redis, else 0 (and the campaign series are absent).',
    registers: [registry],
  });
  const memory = registerMemoryMetrics(registry, options.redisMemory);
  const exporter = new Gauge({
    name: 'herald_campaign_exporter',
    help: '1 in the one process that exports the campaign series kept in Redis (it holds the exporter lease), else 0.',
    registers: [registry],
  });

  return {
    registry,
    async refresh() {
      own.prune();
      memory();
      try {
        const holder = await options.lease.hold();
        // Non-holders read nothing: N workers cost Redis one read of the totals per scrape round, not N.
        fillCampaigns(holder ? await options.totals.read() : []);
        fillRates(holder && options.rates !== undefined ? await options.rates() : EMPTY_RATE_SNAPSHOT);
        redisUp.set(1);
        exporter.set(holder ? 1 : 0);
      } catch {
        // Redis is away: the process's own series still go out, without the campaign series.
        fillCampaigns([]);
        fillRates(EMPTY_RATE_SNAPSHOT);
        redisUp.set(0);
        exporter.set(0);
      }
    },
  };
}

/**
 * Redis's memory as this process last read it (every worker reads it; each answers alike): whether Redis is full
 * and refusing writes, and how near it is, to alert before it is.
 */
function registerMemoryMetrics(registry: Registry, read: (() => RedisMemory | undefined) | undefined): () => void {
  if (read === undefined) return () => undefined;
  const gauge = (name: string, help: string) => new Gauge({ name, help, registers: [registry] });
  const full = gauge(
    'herald_redis_out_of_memory',
    '1 while Redis is over its maxmemory and refuses writes (nothing is sent meanwhile), else 0.',
  );
  const used = gauge('herald_redis_memory_used_bytes', 'Memory Redis counts against its maxmemory, in bytes.');
  const max = gauge('herald_redis_maxmemory_bytes', 'Redis’s maxmemory in bytes; 0 when it has none.');
  return () => {
    const memory = read();
    if (memory === undefined) return;
    full.set(memory.full ? 1 : 0);
    used.set(memory.usedBytes);
    max.set(memory.maxBytes);
  };
}
