import { Counter, Gauge, Histogram, type LabelValues, type Registry } from 'prom-client';

import { reasonClassOf } from './reason-class.js';
import type { SendEvents } from './send-events.js';

export interface ProcessMetricsOptions {
  events: SendEvents;
  /** Create calls this process has in flight now. */
  inFlight: () => number;
  /** The (campaign, lane) queues this process serves now: with a Worker, and parked (no Worker while idle). */
  queues?: () => { live: number; parked: number };
  /** A campaign with no attempt in this process for this long has its series here removed (bounded labels). */
  idleRetentionMs: number;
  now?: () => number;
}

type AttemptLabels = 'campaign' | 'sender' | 'channel' | 'outcome' | 'reason' | 'code';

/**
 * This process's own series: what it attempted, how long Twilio took and what it has in flight (its receipts'
 * are in receipt-metrics.ts). Each process exports its own, so `sum(rate(…))` over all workers is the
 * whole rate; counters restart from 0 with the process, which `rate` and `increase` allow for.
 */
export function registerProcessMetrics(registry: Registry, options: ProcessMetricsOptions): { prune(): void } {
  const registers = [registry];
  const now = options.now ?? Date.now;
  const attempts = new Counter({
    name: 'herald_send_attempts_total',
    help:
      'Send attempts by this process, by outcome (sent, failed, unknown, retry, skipped), reason class and code; ' +
      'retried = outcome "retry", throttled = reason "throttled".',
    labelNames: ['campaign', 'sender', 'channel', 'outcome', 'reason', 'code'],
    registers,
  });
  const segments = new Counter({
    name: 'herald_sent_segments_total',
    help: "What Twilio accepted from this process in the unit of a sender's limit: SMS segments, else messages.",
    labelNames: ['campaign', 'sender'],
    registers,
  });
  const latency = new Histogram({
    name: 'herald_send_duration_seconds',
    help: 'Time the Twilio create call took in this process, by sender.',
    labelNames: ['sender'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 15],
    registers,
  });
  new Gauge({ name: 'herald_worker_up', help: 'Always 1 while this worker process serves metrics.', registers }).set(1);
  new Gauge({
    name: 'herald_worker_in_flight',
    help: 'Twilio create calls this process has in flight (at most HERALD_MAX_IN_FLIGHT).',
    registers,
    collect() {
      this.set(options.inFlight());
    },
  });
  const queues = options.queues;
  if (queues !== undefined) {
    new Gauge({
      name: 'herald_worker_queues',
      help: 'The (campaign, lane) queues this process serves, by state: live (a BullMQ Worker) or parked (idle, no Worker).',
      labelNames: ['state'],
      registers,
      collect() {
        const { live, parked } = queues();
        this.set({ state: 'live' }, live);
        this.set({ state: 'parked' }, parked);
      },
    });
  }
  // The label sets each campaign has here, so that an idle campaign's series can be removed all together.
  const seen = new Map<
    string,
    { lastMs: number; attempts: Map<string, LabelValues<AttemptLabels>>; senders: Set<string> }
  >();
  options.events.on('attempt', (attempt) => {
    const labels = {
      campaign: attempt.campaign,
      sender: attempt.senderId,
      channel: attempt.channel,
      outcome: attempt.outcome,
      reason: attempt.code === undefined ? '' : reasonClassOf(attempt.code),
      code: attempt.code ?? '',
    };
    attempts.inc(labels);
    if (attempt.outcome === 'sent')
      segments.inc({ campaign: attempt.campaign, sender: attempt.senderId }, attempt.cost);
    if (attempt.durationSeconds !== undefined) latency.observe({ sender: attempt.senderId }, attempt.durationSeconds);
    const entry = seen.get(attempt.campaign) ?? { lastMs: 0, attempts: new Map(), senders: new Set<string>() };
    entry.lastMs = now();
    entry.attempts.set(Object.values(labels).join('\u0000'), labels);
    entry.senders.add(attempt.senderId);
    seen.set(attempt.campaign, entry);
  });

  return {
    prune() {
      for (const [campaign, entry] of seen) {
        if (now() - entry.lastMs <= options.idleRetentionMs) continue;
        for (const labels of entry.attempts.values()) attempts.remove(labels);
        for (const sender of entry.senders) segments.remove({ campaign, sender });
        seen.delete(campaign);
      }
    },
  };
}
