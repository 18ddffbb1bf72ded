import { type E164 } from '../domain/e164.js';
import { timeZonesOf } from '../domain/number-time-zones.js';
import { utcOffsetMinutes } from '../lib/zoned-time.js';
import { usPlaceOf } from './number-states.js';
import { type HoursRule, type SendingHoursLaw, WEEKDAYS, type Weekday } from './sending-hours.js';

/**
 * The sending hours US law sets for one recipient: the federal rule and every stricter rule of the states its area
 * code is placed in, each to hold in every time zone of the area. Pure: every function takes the instant it judges.
 */
export interface RecipientHours {
  readonly rules: readonly HoursRule[];
  readonly zones: readonly string[];
}

const MINUTE = 60_000;
const DAY_MINUTES = 24 * 60;
/** A US number whose area has no zone on record must be legal from the east coast to the west. */
const CONTIGUOUS_US = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles'];
/** Far enough for a rule that closes six days a week, and DST shifts on the way. */
const HORIZON_MS = 9 * DAY_MINUTES * MINUTE;

/** undefined for a recipient outside the US and its territories: no US quiet hours apply. */
export function recipientHoursOf(e164: E164, law: SendingHoursLaw): RecipientHours | undefined {
  const place = usPlaceOf(e164);
  if (place.kind === 'outside') return undefined;
  const states = place.kind === 'state' ? place.states : [];
  const rules = [law.federal, ...states.flatMap((state) => law.states.get(state) ?? [])];
  return { rules, zones: timeZonesOf(e164) };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The weekday and minute of the day in `zone` at `at`. */
export function localTimeOf(zone: string, at: Date): { day: Weekday; minute: number } {
  let format = formatters.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(zone, format);
  }
  let day: Weekday = 'sun';
  let minute = 0;
  for (const part of format.formatToParts(at)) {
    if (part.type === 'weekday') day = part.value.toLowerCase().slice(0, 3) as Weekday;
    else if (part.type === 'hour') minute += Number(part.value) * 60;
    else if (part.type === 'minute') minute += Number(part.value);
  }
  return { day, minute };
}

/** Wall-clock minutes from (`day`, `minute`) to the rule's next opening; 0 when open. undefined: never opens. */
function minutesUntilOpen(rule: HoursRule, day: Weekday, minute: number): number | undefined {
  const today = rule.days[day];
  if (today !== null && minute >= today.open && minute < today.close) return 0;
  if (today !== null && minute < today.open) return today.open - minute;
  const index = WEEKDAYS.indexOf(day);
  for (let ahead = 1; ahead <= 7; ahead += 1) {
    const next = rule.days[WEEKDAYS[(index + ahead) % 7] as Weekday];
    if (next !== null) return DAY_MINUTES - minute + (ahead - 1) * DAY_MINUTES + next.open;
  }
  return undefined;
}

/**
 * Milliseconds from `at` until `rule` is open in `zone`. Counted in wall-clock minutes, the wait is off by the shift
 * when a DST change falls in between, so the landing minute is read back and the difference taken off.
 */
function waitFor(rule: HoursRule, zone: string, at: Date): number | undefined {
  const { day, minute } = localTimeOf(zone, at);
  const minutes = minutesUntilOpen(rule, day, minute);
  if (minutes === undefined || minutes === 0) return minutes;
  const guess = minutes * MINUTE - (at.getTime() % MINUTE);
  const landed = new Date(at.getTime() + guess);
  const target = (minute + minutes) % DAY_MINUTES;
  const shift =
    ((localTimeOf(zone, landed).minute - target + DAY_MINUTES + DAY_MINUTES / 2) % DAY_MINUTES) - DAY_MINUTES / 2;
  const corrected = guess - shift * MINUTE;
  return corrected > 0 ? corrected : guess;
}

function firstOpenInAll(rules: readonly HoursRule[], zones: readonly string[], at: Date): Date | undefined {
  let candidate = at;
  while (candidate.getTime() - at.getTime() <= HORIZON_MS) {
    let wait = 0;
    for (const zone of zones)
      for (const rule of rules) {
        const ms = waitFor(rule, zone, candidate);
        if (ms === undefined) return undefined;
        wait = Math.max(wait, ms);
      }
    if (wait === 0) return candidate;
    candidate = new Date(candidate.getTime() + wait);
  }
  return undefined;
}

/**
 * The first instant at or after `at` at which every rule is open in every zone of the recipient's area. An area
 * whose zones share no legal minute (a non-geographic number maps to every zone from Guam to Newfoundland) is timed
 * by the zone in the middle of its UTC offsets, so that it is texted in daytime for most of the area, not never.
 */
export function nextLegalInstant(hours: RecipientHours, at: Date): Date {
  const zones = hours.zones.length === 0 ? CONTIGUOUS_US : hours.zones;
  const inAll = firstOpenInAll(hours.rules, zones, at);
  if (inAll !== undefined) return inAll;
  const byOffset = [...zones].sort((a, b) => utcOffsetMinutes(a, at) - utcOffsetMinutes(b, at));
  const middle = byOffset[Math.floor((byOffset.length - 1) / 2)] as string;
  return firstOpenInAll(hours.rules, [middle], at) ?? at;
}

/**
 * The rule that keeps the recipient waiting longest at `at` (for the audit trail), with the zone it is read in; of
 * rules that wait alike, the state's (listed after the federal one), as it is the stricter law.
 */
export function bindingRuleAt(hours: RecipientHours, at: Date): { rule: HoursRule; zone: string } | undefined {
  let binding: { rule: HoursRule; zone: string; wait: number } | undefined;
  for (const zone of hours.zones)
    for (const rule of hours.rules) {
      const wait = waitFor(rule, zone, at) ?? Number.POSITIVE_INFINITY;
      if (wait > 0 && (binding === undefined || wait >= binding.wait)) binding = { rule, zone, wait };
    }
  return binding === undefined ? undefined : { rule: binding.rule, zone: binding.zone };
}

/**
 * For a recipient who may be texted at `at`: the first instant after it at which one of their rules closes in one of
 * their zones (for the dry run's estimate). Counted in wall-clock minutes, so off by the shift on a DST night.
 */
export function legalClosingAt(hours: RecipientHours, at: Date): Date {
  const zones = hours.zones.length === 0 ? CONTIGUOUS_US : hours.zones;
  let closesIn = Number.POSITIVE_INFINITY;
  for (const zone of zones) {
    const { day, minute } = localTimeOf(zone, at);
    for (const rule of hours.rules) {
      const today = rule.days[day];
      if (today === null || minute < today.open || minute >= today.close) continue;
      closesIn = Math.min(closesIn, (today.close - minute) * MINUTE - (at.getTime() % MINUTE));
    }
  }
  // Open in none of the zones (an area timed by its middle zone): look again in a minute.
  return new Date(at.getTime() + (Number.isFinite(closesIn) ? closesIn : MINUTE));
}
