/** `--send-at` values: an ISO 8601 time (`2026-12-01T09:00:00Z`, `2026-12-01 09:00+01:00`) or a delay (`+90s`, `+15m`). */

const RELATIVE = /^\+(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** An ISO date-time with seconds optional; without an offset it is the machine's local time. */
const ISO = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Farther than this is more likely a typo than a plan. */
const MAX_AHEAD_MS = 366 * UNIT_MS.d;

export function parseSendAt(text: string, now: Date): { ok: true; at: Date } | { ok: false; reason: string } {
  const trimmed = text.trim();
  const relative = RELATIVE.exec(trimmed);
  let at: Date;
  if (relative !== null) {
    at = new Date(now.getTime() + Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS]);
  } else if (ISO.test(trimmed)) {
    at = new Date(trimmed.replace(' ', 'T'));
  } else {
    at = new Date(Number.NaN);
  }
  if (Number.isNaN(at.getTime())) {
    return {
      ok: false,
      reason: `--send-at "${text}" is not a time: use ISO 8601 (2026-12-01T09:00:00Z, 2026-12-01T09:00+01:00) or a delay (+30m, +2h)`,
    };
  }
  if (at.getTime() <= now.getTime()) {
    return { ok: false, reason: `--send-at ${at.toISOString()} is in the past (now is ${now.toISOString()})` };
  }
  if (at.getTime() - now.getTime() > MAX_AHEAD_MS) {
    return { ok: false, reason: `--send-at ${at.toISOString()} is more than a year ahead` };
  }
  return { ok: true, at };
}
