import { nextResetAt } from '../domain/daily-reset.js';
import { type ChainLink, perSecond, type RateChain, tightestRate } from '../domain/rate-group.js';
import type { Volume } from './plan-tally.js';

export interface SenderDuration {
  senderId: string;
  messages: number;
  /** SMS segments among them. */
  segments: number;
  /** The sender's tightest limit in messages (SMS: segments) per second. */
  mps: number;
  paceCost: number;
  /** Its share alone at that limit. */
  seconds: number;
}

/** A group's daily count so far, as Redis holds it: the count, and when the count resets (ms), if it runs. */
export interface CapUsage {
  used: number;
  resetsAt?: number;
}

/** What a group's daily cap does to the campaign. */
export interface CapEstimate {
  group: string;
  /** The cap, segments a day, and what is used of today's already. */
  segments: number;
  used: number;
  /** What the campaign sends through the group. */
  cost: number;
  /** When the campaign reaches the cap (ms since the epoch), if it does; it then waits for the reset. */
  reachedAt?: number;
  resetAt: string;
  timeZone: string;
  /** When the group's share of the campaign is done, with the cap's waits: ms since the epoch, and seconds from now. */
  doneAt: number;
  seconds: number;
}

export interface DurationEstimate {
  /** How long the campaign takes at its limits, with the daily caps' waits. */
  seconds: number;
  /** The same without the caps: its busiest limit's share. */
  pacedSeconds: number;
  senders: SenderDuration[];
  caps: CapEstimate[];
}

/**
 * How long the campaign takes at its limits, paced as the workers pace it (SMS counted in segments). Every limit of
 * every chain takes the cost of the senders under it, so the campaign takes as long as its busiest limit needs (a
 * pool shared by ten numbers, or one slow sender). A daily cap the campaign outgrows stops its group until each reset,
 * which can add days. A lower bound: it assumes enough workers, no throttling and no retries. Pure.
 */
export function estimateDuration(
  bySender: Readonly<Record<string, Volume>>,
  chainOf: (senderId: string) => RateChain,
  usageOf: (link: ChainLink) => CapUsage,
  now: number,
): DurationEstimate {
  const loads = new Map<string, { link: ChainLink; cost: number }>();
  const senders = Object.entries(bySender).map(([senderId, volume]) => {
    const chain = chainOf(senderId);
    for (const link of chain.links) {
      const load = loads.get(link.id) ?? { link, cost: 0 };
      load.cost += volume.paceCost;
      loads.set(link.id, load);
    }
    const mps = tightestRate(chain);
    return { ...volume, senderId, mps, seconds: volume.paceCost / mps };
  });
  const pacedSeconds = Math.max(
    0,
    ...[...loads.values()].flatMap(({ link, cost }) =>
      link.limit === undefined ? [] : [cost / perSecond(link.limit)],
    ),
  );
  const caps = [...loads.values()].flatMap(({ link, cost }) =>
    link.dailyCap === undefined || pacedSeconds === 0
      ? []
      : [estimateCap(link, cost, pacedSeconds, usageOf(link), now)],
  );
  const doneAt = Math.max(now + pacedSeconds * 1000, ...caps.map((cap) => cap.doneAt));
  return { seconds: (doneAt - now) / 1000, pacedSeconds, senders, caps };
}

/**
 * A group's share of the campaign under its daily cap, sent at the pace the whole campaign goes: up to the cap, then
 * nothing until the reset, then up to the cap again each day.
 */
function estimateCap(link: ChainLink, cost: number, pacedSeconds: number, usage: CapUsage, now: number): CapEstimate {
  const cap = link.dailyCap!;
  const perMs = cost / (pacedSeconds * 1000);
  let used = usage.resetsAt !== undefined && usage.resetsAt > now ? usage.used : 0;
  let reset =
    usage.resetsAt !== undefined && usage.resetsAt > now ? usage.resetsAt : nextResetAt(cap.resetAt, cap.timeZone, now);
  let remaining = cost;
  let at = now;
  let reachedAt: number | undefined;
  while (remaining > 0) {
    const room = Math.max(0, cap.segments - used);
    if (room >= remaining) {
      at += remaining / perMs;
      break;
    }
    at += room / perMs;
    remaining -= room;
    reachedAt ??= at;
    at = Math.max(at, reset);
    used = 0;
    reset = nextResetAt(cap.resetAt, cap.timeZone, at);
  }
  return {
    group: link.label,
    segments: cap.segments,
    used: usage.resetsAt !== undefined && usage.resetsAt > now ? usage.used : 0,
    cost,
    ...(reachedAt === undefined ? {} : { reachedAt }),
    resetAt: cap.resetAt,
    timeZone: cap.timeZone,
    doneAt: at,
    seconds: (at - now) / 1000,
  };
}
