import { randomBytes } from 'node:crypto';

/** Uniform numbers in [0, 1), like Math.random, but reproducible from a seed. */
export type Random = () => number;

/**
 * mulberry32: a 32-bit generator that is small, fast and good enough for deciding which requests fail. A
 * seeded stream makes a chaos run repeatable: the nth decision depends only on the seed and n.
 */
export function makeRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A seed for when none is configured, so unseeded runs still differ from each other. */
export function pickSeed(): number {
  return randomBytes(4).readUInt32BE(0);
}

/** A number in [min, max] drawn from `random`. */
export function drawBetween(random: Random, range: { min: number; max: number }): number {
  return range.min + random() * (range.max - range.min);
}

/** One of the keys, with chances in proportion to their weights (which need not sum to 1). */
export function drawWeighted<K>(random: Random, weights: ReadonlyArray<readonly [K, number]>): K {
  const total = weights.reduce((sum, [, weight]) => sum + weight, 0);
  let remaining = random() * total;
  for (const [key, weight] of weights) {
    remaining -= weight;
    if (remaining < 0) return key;
  }
  const last = weights[weights.length - 1];
  if (last === undefined) throw new Error('drawWeighted: no weights');
  return last[0];
}
