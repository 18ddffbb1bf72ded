import { utcOffsetMinutes } from '../lib/zoned-time.js';

/**
 * Sending windows: the hours of the recipient's local day in which a campaign may text them, e.g. `09:00-20:00`.
 * Pure: every function takes the instant it judges, so tests drive it with any clock.
 */

/** Minutes after local midnight at which the window opens and closes; `end` < `start` spans midnight. */
export interface SendWindow {
  readonly start: number;
  readonly end: number;
}

const MINUTES_PER_DAY = 24 * 60;
const WINDOW = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]|24):([0-5]\d)$/;

/** How far ahead {@link nextOpening} looks for a minute that is open in every zone (two days and DST shifts). */
const HORIZON_MS = 3 * MINUTES_PER_DAY * 60_000;

export function parseSendWindow(text: string): { ok: true; window: SendWindow } | { ok: false; reason: string } {
  const match = WINDOW.exec(text.trim());
  const problem = {
    ok: false as const,
    reason: `--window "${text}" must be HH:MM-HH:MM in 24-hour time, e.g. 09:00-20:00`,
  };
  if (match === null) return problem;
  const start = Number(match[1]) * 60 + Number(match[2]);
  const end = Number(match[3]) * 60 + Number(match[4]);
  if (end > MINUTES_PER_DAY) return problem;
  if (start === end % MINUTES_PER_DAY) {
    return {
      ok: false,
      reason: `--window "${text}" opens and closes at the same minute; leave it out to send at any hour`,
    };
  }
  return { ok: true, window: { start, end: end % MINUTES_PER_DAY } };
}

export function formatSendWindow(window: SendWindow): string {
  const hhmm = (minutes: number) =>
    `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  return `${hhmm(window.start)}-${window.end === 0 ? '24:00' : hhmm(window.end)}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes after local midnight in `zone` at `at` (Node's ICU holds the IANA rules, DST included). */
export function localMinuteOfDay(zone: string, at: Date): number {
  let format = formatters.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(zone, format);
  }
  const parts = format.formatToParts(at);
  const value = (type: 'hour' | 'minute') => Number(parts.find((part) => part.type === type)?.value ?? 0);
  return value('hour') * 60 + value('minute');
}

function isOpenAtMinute(window: SendWindow, minute: number): boolean {
  return window.start < window.end
    ? minute >= window.start && minute < window.end
    : minute >= window.start || minute < window.end;
}

export function isOpenIn(window: SendWindow, zone: string, at: Date): boolean {
  return isOpenAtMinute(window, localMinuteOfDay(zone, at));
}

/**
 * Milliseconds from `at` until the window next opens in `zone`; 0 when it is open now. The distance in wall-clock
 * minutes is off by the shift when a DST change falls in between, so the landing minute is read back and corrected.
 */
function waitIn(window: SendWindow, zone: string, at: Date): number {
  const minute = localMinuteOfDay(zone, at);
  if (isOpenAtMinute(window, minute)) return 0;
  const minutes = (window.start - minute + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  const guess = minutes * 60_000 - (at.getTime() % 60_000);
  const landed = localMinuteOfDay(zone, new Date(at.getTime() + guess));
  const shift =
    ((landed - window.start + MINUTES_PER_DAY + MINUTES_PER_DAY / 2) % MINUTES_PER_DAY) - MINUTES_PER_DAY / 2;
  const corrected = guess - shift * 60_000;
  return corrected > 0 ? corrected : guess;
}

/**
 * The first instant at or after `at` at which the window is open in every one of `zones`, or undefined when those
 * zones share no open minute in the next three days. Jumping to the latest zone's opening and checking again converges in
 * a few steps; a DST change that moves an opening is caught by the same check.
 */
export function nextOpeningInAll(window: SendWindow, zones: readonly string[], at: Date): Date | undefined {
  let candidate = at;
  while (candidate.getTime() - at.getTime() <= HORIZON_MS) {
    const wait = Math.max(0, ...zones.map((zone) => waitIn(window, zone, candidate)));
    if (wait === 0) return candidate;
    candidate = new Date(candidate.getTime() + wait);
  }
  return undefined;
}

/**
 * When a recipient whose number maps to `zones` may next be texted: the conservative rule is that the window must
 * be open in every zone of the number's area. Numbers that are not tied to one area (a +1 toll-free number maps to
 * every zone from Guam to Newfoundland) may have zones that share no open minute; those are timed by the zone in
 * the middle of their UTC offsets, so that they are texted in daytime for most of the area rather than never.
 */
export function nextOpening(window: SendWindow, zones: readonly string[], at: Date): Date {
  if (zones.length === 0) return at;
  const inAll = nextOpeningInAll(window, zones, at);
  if (inAll !== undefined) return inAll;
  const byOffset = [...zones].sort((a, b) => utcOffsetMinutes(a, at) - utcOffsetMinutes(b, at));
  const middle = byOffset[Math.floor((byOffset.length - 1) / 2)] as string;
  return nextOpeningInAll(window, [middle], at) ?? at;
}
