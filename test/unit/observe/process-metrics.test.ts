import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';

import { registerProcessMetrics } from '../../../src/observe/process-metrics.js';
import { SendEvents } from '../../../src/observe/send-events.js';

describe("a worker process's own series", () => {
  it('counts the queues it serves, live and parked, as they are at each scrape', async () => {
    const registry = new Registry();
    let counts = { live: 3, parked: 997 };
    registerProcessMetrics(registry, {
      events: new SendEvents(),
      inFlight: () => 0,
      queues: () => counts,
      idleRetentionMs: 60_000,
    });
    const text = await registry.metrics();
    expect(text).toContain('herald_worker_queues{state="live"} 3');
    expect(text).toContain('herald_worker_queues{state="parked"} 997');
    counts = { live: 1000, parked: 0 };
    expect(await registry.metrics()).toContain('herald_worker_queues{state="live"} 1000');
  });

  it('has no queue series where nothing tells it of queues', async () => {
    const registry = new Registry();
    registerProcessMetrics(registry, { events: new SendEvents(), inFlight: () => 0, idleRetentionMs: 60_000 });
    expect(await registry.metrics()).not.toContain('herald_worker_queues');
  });
});
