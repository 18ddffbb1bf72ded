/** Keys are whole numbers below 2^50: the digits of any E.164 number (at most 15) fit. */
export const MAX_KEY = 2 ** 50 - 1;
/** Tags are whole numbers from 1 to this; 0 is "absent". */
export const MAX_TAG = 2 ** 14 - 1;

/** Shards, so that growing copies one shard's slots at a time, not the whole table's. */
const SHARDS = 256;
const FIRST_CAPACITY = 64;
/**
 * A shard grows by a quarter when it is 4/5 full, so it is 64% to 80% full: linear probing stays short, and the
 * memory a key costs stays within a quarter of its least (doubling would leave the table 40–80% full).
 */
const MAX_LOAD = 0.8;
const GROWTH = 1.25;
const TWO_24 = 2 ** 24;
const TWO_32 = 2 ** 32;
/** The high word holds a key's bits 32–49 and the tag above them. */
const HIGH_BITS = 18;
const HIGH_MASK = (1 << HIGH_BITS) - 1;

/**
 * An exact map from whole numbers (below 2^50) to small tags (1 to 16,383), held in typed arrays outside V8's heap:
 * open addressing with linear probing, each slot two 32-bit words (the key's low 32 bits; its high 18 bits with
 * the tag above them), so 8 bytes a slot and 10 to 12.5 bytes a key once there are more than a few thousand (a Map
 * of the same numbers as strings costs ~100 bytes a key, inside the heap). For a dry run's millions of recipients.
 */
export class IntegerTagMap {
  readonly #shards: Uint32Array[] = Array.from({ length: SHARDS }, () => new Uint32Array(2 * FIRST_CAPACITY));
  readonly #counts = new Uint32Array(SHARDS);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Bytes the slots take (what the map costs beyond a few kilobytes). */
  get bytes(): number {
    return this.#shards.reduce((sum, shard) => sum + shard.byteLength, 0);
  }

  /** The key's tag, or 0 when the key is not in the map. */
  get(key: number): number {
    const low = checkedKey(key) % TWO_32;
    const high = floor(key / TWO_32);
    const hash = mix(low, high);
    const shard = this.#shards[hash >>> 24]!;
    const capacity = shard.length / 2;
    for (let slot = home(hash, capacity); ; slot = slot + 1 === capacity ? 0 : slot + 1) {
      const word = shard[2 * slot + 1]!;
      if (word === 0) return 0;
      if (shard[2 * slot] === low && (word & HIGH_MASK) === high) return word >>> HIGH_BITS;
    }
  }

  /** Adds the key with `tag` (1 to MAX_TAG) unless the map holds it; returns the tag it held, 0 if it was new. */
  add(key: number, tag: number): number {
    if (!isInteger(tag) || tag < 1 || tag > MAX_TAG) throw new RangeError(`tag ${tag} is not 1–${MAX_TAG}`);
    const low = checkedKey(key) % TWO_32;
    const high = floor(key / TWO_32);
    const hash = mix(low, high);
    const index = hash >>> 24;
    const shard = this.#shards[index]!;
    const held = place(shard, hash, low, high, tag);
    if (held === 0) {
      this.#size += 1;
      const count = this.#counts[index]! + 1;
      this.#counts[index] = count;
      if (count > (shard.length / 2) * MAX_LOAD) this.#grow(index);
    }
    return held;
  }

  #grow(index: number): void {
    const old = this.#shards[index]!;
    const shard = new Uint32Array(2 * ceil((old.length / 2) * GROWTH));
    for (let slot = 0; slot < old.length / 2; slot++) {
      const word = old[2 * slot + 1]!;
      if (word === 0) continue;
      const low = old[2 * slot]!;
      const high = word & HIGH_MASK;
      place(shard, mix(low, high), low, high, word >>> HIGH_BITS);
    }
    this.#shards[index] = shard;
  }
}

function checkedKey(key: number): number {
  if (!isInteger(key) || key < 0 || key > MAX_KEY) throw new RangeError(`key ${key} is not 0–2^50`);
  return key;
}

/** The key's first slot: the hash's low 24 bits scaled to the shard's capacity (its top 8 bits chose the shard). */
function home(hash: number, capacity: number): number {
  return floor(((hash & 0xffffff) * capacity) / TWO_24);
}

/** Writes the key into the first free slot from its own unless it is there; returns its tag there, or 0. */
function place(shard: Uint32Array, hash: number, low: number, high: number, tag: number): number {
  const capacity = shard.length / 2;
  for (let slot = home(hash, capacity); ; slot = slot + 1 === capacity ? 0 : slot + 1) {
    const word = shard[2 * slot + 1]!;
    if (word === 0) {
      shard[2 * slot] = low;
      shard[2 * slot + 1] = (high | (tag << HIGH_BITS)) >>> 0;
      return 0;
    }
    if (shard[2 * slot] === low && (word & HIGH_MASK) === high) return word >>> HIGH_BITS;
  }
}

// Bound once: inside a vm context (jest runs tests in one) every lookup of a global goes through the context.
const { ceil, floor, imul } = Math;
const { isInteger } = Number;

/** murmur3's fmix32 over both words. */
function mix(low: number, high: number): number {
  let hash = low ^ imul(high, 0x9e3779b1);
  hash = imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}
