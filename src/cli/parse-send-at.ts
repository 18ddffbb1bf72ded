import { formatZoned, instantOfWallTime, zoneLabel } from '../lib/zoned-time.js';

/**
 * `--send-at` values: an ISO 8601 time (`2026-12-01T09:00:00Z`, `2026-12-01 09:00+01:00`), a local time with no
 * offset, read in the operator's zone (`2026-12-01 09:00`), or a delay (`+90s`, `+15m`).
 */

const RELATIVE = /^\+(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** An ISO date-time with seconds optional and an optional offset. */
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Farther than this is more likely a typo than a plan. */
const MAX_AHEAD_MS = 366 * UNIT_MS.d;

/** When `text` says, or the problem as one line; `zone` is the zone a time without an offset is read in. */
export function parseSendAt(
  text: string,
  now: Date,
  zone: string,
): { ok: true; at: Date } | { ok: false; reason: string } {
  const trimmed = text.trim();
  const relative = RELATIVE.exec(trimmed);
  const iso = ISO.exec(trimmed);
  let at = Number.NaN;
  if (relative !== null) {
    at = now.getTime() + Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS];
  } else if (iso !== null) {
    at = iso[8] === undefined ? readWallTime(iso, zone) : Date.parse(trimmed.replace(' ', 'T'));
  }
  if (Number.isNaN(at)) {
    return {
      ok: false,
      reason:
        `--send-at "${text}" is not a time: use ISO 8601 (2026-12-01T09:00:00Z, 2026-12-01T09:00+01:00), ` +
        `a time in your zone (2026-12-01 09:00, read as ${zoneLabel(zone)}) or a delay (+30m, +2h)`,
    };
  }
  const shown = formatZoned(at, zone, { seconds: true });
  if (at <= now.getTime()) {
    return {
      ok: false,
      reason: `--send-at ${shown} is in the past (now is ${formatZoned(now.getTime(), zone, { seconds: true })})`,
    };
  }
  if (at - now.getTime() > MAX_AHEAD_MS) return { ok: false, reason: `--send-at ${shown} is more than a year ahead` };
  return { ok: true, at: new Date(at) };
}

/** A date-time without an offset, in `zone`; NaN when a field is out of range (month 13, 25 o'clock). */
function readWallTime(match: RegExpExecArray, zone: string): number {
  const [year, month, day, hour, minute, second, ms] = [1, 2, 3, 4, 5, 6, 7].map((index) =>
    Number((match[index] ?? '0').padEnd(index === 7 ? 3 : 1, '0')),
  ) as [number, number, number, number, number, number, number];
  const probe = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
  const valid =
    probe.getUTCFullYear() === year &&
    probe.getUTCMonth() === month - 1 &&
    probe.getUTCDate() === day &&
    probe.getUTCHours() === hour &&
    probe.getUTCMinutes() === minute &&
    probe.getUTCSeconds() === second;
  return valid ? instantOfWallTime({ year, month, day, hour, minute, second, ms }, zone) : Number.NaN;
}
