import { nextOpeningInAll, type SendWindow } from '../domain/send-window.js';
import { utcOffsetMinutes } from '../lib/zoned-time.js';

/** Recipients of one sender whose numbers map to the same time zones, and what they cost against its rate. */
export interface ZoneGroup {
  zones: readonly string[];
  /** SMS segments, else messages: the pace cost of the group's messages. */
  cost: number;
}

/** Beyond this the estimate gives up (a window no recipient's zone ever opens in the next days): no finish time. */
const HORIZON_MS = 366 * 86_400_000;
const MAX_STEPS = 100_000;

/**
 * When a group of recipients may be texted: the first instant at or after `t` at which they may (undefined: not within
 * a year), and, when they may at `t`, the first instant after it at which they no longer may.
 */
export interface OpenHours {
  openingAt(t: number): number | undefined;
  closingAt(t: number): number;
}

/** Recipients of one sender who share their hours, and what they cost against its rate. */
export interface HoursGroup {
  hours: OpenHours;
  cost: number;
}

/**
 * When one sender finishes its recipients, sending at `unitsPerSecond` from `startAt` (ms), each recipient only while
 * the window is open in their own time: the sender sends to whoever is open, those whose window closes first first,
 * and waits when nobody's window is open. Numbers are timed as the workers time them (domain/send-window.ts
 * nextOpening): by all of their zones, or by the zone in the middle of them when those are never all open at once;
 * a number with no zone is always open. A lower bound like the rest of the estimate: it assumes enough workers and no
 * throttling. Undefined when some group's window never opens within a year. Pure.
 */
export function estimateWindowFinish(
  groups: readonly ZoneGroup[],
  unitsPerSecond: number,
  window: SendWindow,
  startAt: number,
): number | undefined {
  return estimateHoursFinish(
    groups.map((group) => ({ hours: windowHours(window, group.zones, startAt), cost: group.cost })),
    unitsPerSecond,
    startAt,
  );
}

/** As estimateWindowFinish, for groups with hours of any kind (a window, the law's, both). Pure. */
export function estimateHoursFinish(
  groups: readonly HoursGroup[],
  unitsPerSecond: number,
  startAt: number,
): number | undefined {
  const left = groups.filter((group) => group.cost > 0).map((group) => ({ hours: group.hours, remaining: group.cost }));
  let t = startAt;
  for (let step = 0; step < MAX_STEPS && t - startAt <= HORIZON_MS; step++) {
    const waiting = left.filter((group) => group.remaining > 0);
    if (waiting.length === 0) return t;
    const timed = waiting.map((group) => {
      const opens = group.hours.openingAt(t);
      return { group, opens, closes: opens === t ? group.hours.closingAt(t) : undefined };
    });
    const open = timed.filter((entry) => entry.closes !== undefined).sort((a, b) => a.closes! - b.closes!);
    const boundary = Math.min(
      ...timed.map((entry) => entry.closes ?? entry.opens ?? Number.POSITIVE_INFINITY),
      startAt + HORIZON_MS,
    );
    if (!Number.isFinite(boundary)) return undefined;
    let capacity = ((boundary - t) / 1000) * unitsPerSecond;
    let used = 0;
    for (const { group } of open) {
      const taken = Math.min(capacity, group.remaining);
      group.remaining -= taken;
      capacity -= taken;
      used += taken;
    }
    if (left.every((group) => group.remaining <= 1e-9)) return t + (used / unitsPerSecond) * 1000;
    t = boundary;
  }
  return undefined;
}

/** A sending window's hours for numbers of these zones (timed as the workers time them). */
export function windowHours(window: SendWindow, zones: readonly string[], at: number): OpenHours {
  const timing = timingZones(window, zones, at);
  return { openingAt: (t) => openingAt(window, timing, t), closingAt: (t) => closingAt(window, timing, t) };
}

/** Hours in which both `a` and `b` are open. */
export function bothHours(a: OpenHours, b: OpenHours): OpenHours {
  return {
    openingAt(t) {
      let at = t;
      for (let step = 0; step < 100; step++) {
        const first = a.openingAt(at);
        const second = b.openingAt(at);
        if (first === undefined || second === undefined) return undefined;
        const later = Math.max(first, second);
        if (later === at) return at;
        at = later;
      }
      return undefined;
    },
    closingAt: (t) => Math.min(a.closingAt(t), b.closingAt(t)),
  };
}

/** When the window next opens for these zones at or after `t`, or undefined if never within the horizon. */
function openingAt(window: SendWindow, zones: readonly string[], t: number): number | undefined {
  if (zones.length === 0) return t;
  return nextOpeningInAll(window, zones, new Date(t))?.getTime();
}

/** When the window, open at `t` in every one of `zones`, first closes in one of them. */
function closingAt(window: SendWindow, zones: readonly string[], t: number): number {
  if (zones.length === 0) return Number.POSITIVE_INFINITY;
  // The window closes where the hours outside it open.
  const outside: SendWindow = { start: window.end, end: window.start };
  return Math.min(
    ...zones.map((zone) => nextOpeningInAll(outside, [zone], new Date(t))?.getTime() ?? Number.POSITIVE_INFINITY),
  );
}

/** All of the number's zones when they share an open minute, else the one in the middle of their UTC offsets. */
function timingZones(window: SendWindow, zones: readonly string[], at: number): readonly string[] {
  if (zones.length === 0 || nextOpeningInAll(window, zones, new Date(at)) !== undefined) return zones;
  const byOffset = [...zones].sort((a, b) => utcOffsetMinutes(a, new Date(at)) - utcOffsetMinutes(b, new Date(at)));
  return [byOffset[Math.floor((byOffset.length - 1) / 2)]!];
}
