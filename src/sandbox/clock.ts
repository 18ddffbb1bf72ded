import { performance } from 'node:perf_hooks';

/**
 * Milliseconds since the epoch, with sub-millisecond precision and never running backwards within a process
 * (performance.now is monotonic). Every time the sandbox records or schedules against uses this one clock, so
 * request times, sender queues and callback times compare directly.
 */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
