import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `count()` until it reaches `total`; the rate per second between 10% and 90% of it, so that process start-up
 * and the tail, when fewer jobs than slots are left, are not counted.
 */
export async function rateBetween(count: () => Promise<number>, total: number, what: string): Promise<number> {
  const low = Math.ceil(total * 0.1);
  const high = Math.floor(total * 0.9);
  let lowAt: { at: number; n: number } | undefined;
  const deadline = Date.now() + 600_000;
  for (;;) {
    const n = await count();
    const at = performance.now();
    if (lowAt === undefined && n >= low) lowAt = { at, n };
    if (lowAt !== undefined && n >= high) return ((n - lowAt.n) * 1000) / (at - lowAt.at);
    if (Date.now() > deadline) throw new Error(`${what}: only ${n} of ${total} sent in 10 minutes`);
    await sleep(20);
  }
}
