import type { SenderEntry } from './campaign.js';
import type { Channel } from './channel.js';
import type { E164 } from './e164.js';
import { isWhatsAppSender, senderId } from './sender.js';

export interface SenderCandidate {
  readonly entry: SenderEntry;
  readonly id: string;
  /** murmur3 of the sender id, mixed with each recipient's hash to score the pair. */
  readonly seed: number;
}

/** A campaign's senders split by the channels they carry, hashed once per campaign. */
export interface SenderPool {
  /** Senders for SMS and MMS: every kind but WhatsApp. */
  readonly text: readonly SenderCandidate[];
  readonly whatsapp: readonly SenderCandidate[];
}

export type SenderAssignment = { ok: true; entry: SenderEntry; senderId: string } | { ok: false; reason: string };

export function prepareSenderPool(senders: readonly SenderEntry[]): SenderPool {
  const text: SenderCandidate[] = [];
  const whatsapp: SenderCandidate[] = [];
  for (const entry of senders) {
    const id = senderId(entry.sender);
    (isWhatsAppSender(entry.sender) ? whatsapp : text).push({ entry, id, seed: hashString(id) });
  }
  return { text, whatsapp };
}

/** The senders of the pool that can carry `channel`. */
export function selectCandidates(pool: SenderPool, channel: Channel): readonly SenderCandidate[] {
  return channel === 'whatsapp' ? pool.whatsapp : pool.text;
}

/**
 * Picks the sender for a recipient by rendezvous (highest-random-weight) hashing: every candidate scores
 * the pair (sender, recipient) and the highest score wins. A recipient therefore keeps its sender across
 * campaigns, runs and pool order, and adding or removing one sender of n moves only the ~1/n recipients
 * that win or lose that sender. The result is stored nowhere, so the hash below is part of the contract:
 * changing it reshuffles every recipient once.
 */
export function assignSender(pool: SenderPool, channel: Channel, to: E164): SenderAssignment {
  const candidates = selectCandidates(pool, channel);
  const recipient = hashString(to);
  let best: SenderCandidate | undefined;
  let bestScore = -1;
  for (const candidate of candidates) {
    const score = mix32(recipient ^ candidate.seed);
    // Ties (1 in 2^32) go to the smaller id so that the order of the pool never matters.
    if (score > bestScore || (score === bestScore && best !== undefined && candidate.id < best.id)) {
      best = candidate;
      bestScore = score;
    }
  }
  if (best === undefined) {
    return {
      ok: false,
      reason:
        channel === 'whatsapp'
          ? 'no whatsapp sender in the pool'
          : `no ${channel.toUpperCase()} sender in the pool (only WhatsApp senders)`,
    };
  }
  return { ok: true, entry: best.entry, senderId: best.id };
}

// Why murmur3-32 and not FNV-1a 64 or a cryptographic hash: this runs for every row of million-row files, and
// 32-bit arithmetic with Math.imul stays in small integers, where BigInt FNV-64 allocates per step and
// crypto.createHash costs a native call per candidate. murmur3's finaliser passes the avalanche test (each
// input bit flips each output bit with probability ~1/2), which is what even rendezvous weights need. Each
// recipient is hashed once and then mixed with the per-sender seed, instead of hashing the concatenation once
// per candidate. Blocks are single UTF-16 code units where murmur3 takes four bytes (ids and E.164 numbers are
// ASCII): the same mixing, but not the values a murmur3 library would give.
// Bound once: inside a vm context (jest runs tests in one) every lookup of the global `Math` goes through the
// context's interceptor, which made hashing ~50× slower there than in a plain process.
const imul = Math.imul;

function hashString(text: string): number {
  let hash = 0;
  for (let index = 0; index < text.length; index++) {
    let block = imul(text.charCodeAt(index), 0xcc9e2d51);
    block = imul((block << 15) | (block >>> 17), 0x1b873593);
    hash ^= block;
    hash = (imul((hash << 13) | (hash >>> 19), 5) + 0xe6546b64) | 0;
  }
  return mix32(hash ^ text.length);
}

/** murmur3's fmix32 finaliser, as an unsigned 32-bit integer. */
function mix32(value: number): number {
  let hash = value;
  hash = imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}
