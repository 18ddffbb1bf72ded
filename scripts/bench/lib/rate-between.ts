import { setTimeout as sleep } from 'node:timers/promises';

/** What was measured between 10% and 90% sent: the rate, how many messages that was, and a snapshot at each end. */
export interface Between<T> {
  rate: number;
  messages: number;
  low: T;
  high: T;
}

/**
 * Polls `count()` until it reaches `total`; the rate per second between 10% and 90% of it, so that process start-up
 * and the tail, when fewer jobs than slots are left, are not counted.
 */
export async function rateBetween(count: () => Promise<number>, total: number, what: string): Promise<number> {
  return (await measureBetween(count, total, what, async () => undefined)).rate;
}

/** As rateBetween, also taking `snapshot()` (e.g. the processes' CPU times) right after each end is seen. */
export async function measureBetween<T>(
  count: () => Promise<number>,
  total: number,
  what: string,
  snapshot: () => Promise<T>,
): Promise<Between<T>> {
  const low = Math.ceil(total * 0.1);
  const high = Math.floor(total * 0.9);
  let lowAt: { at: number; n: number; snapshot: T } | undefined;
  const deadline = Date.now() + 600_000;
  for (;;) {
    const n = await count();
    const at = performance.now();
    if (lowAt === undefined && n >= low) lowAt = { at, n, snapshot: await snapshot() };
    if (lowAt !== undefined && n >= high) {
      const end = await snapshot();
      return { rate: ((n - lowAt.n) * 1000) / (at - lowAt.at), messages: n - lowAt.n, low: lowAt.snapshot, high: end };
    }
    if (Date.now() > deadline) throw new Error(`${what}: only ${n} of ${total} sent in 10 minutes`);
    await sleep(20);
  }
}
