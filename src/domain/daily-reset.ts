/**
 * When a daily cap resets: the next instant after `now` at which the clock in `timeZone` reads `resetAt` (`HH:MM`),
 * in ms since the epoch. Computed with Intl, so daylight saving time is the zone's own: a day is 23 or 25 hours
 * around a change. A reset time the change skips (02:30 on a spring-forward night) falls an hour later. Pure.
 */
export function nextResetAt(resetAt: string, timeZone: string, now: number): number {
  const [hours = 0, minutes = 0] = resetAt.split(':').map(Number);
  const today = localDate(timeZone, now);
  for (let days = 0; days <= 2; days += 1) {
    const at = instantOf(timeZone, today.year, today.month, today.day + days, hours, minutes);
    if (at > now) return at;
  }
  // Unreachable: one of three consecutive days' reset lies after now.
  return now + 86_400_000;
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatOf(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, format);
  }
  return format;
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function localDate(timeZone: string, at: number): LocalTime {
  const parts = Object.fromEntries(
    formatOf(timeZone)
      .formatToParts(at)
      .filter((part) => part.type !== 'literal')
      .map((part) => [part.type, Number(part.value)]),
  ) as Record<string, number>;
  return {
    year: parts['year'] ?? 1970,
    month: parts['month'] ?? 1,
    day: parts['day'] ?? 1,
    hour: parts['hour'] ?? 0,
    minute: parts['minute'] ?? 0,
    second: parts['second'] ?? 0,
  };
}

/** How far the zone's clock is ahead of UTC at `at`, in ms. */
function offsetAt(timeZone: string, at: number): number {
  const local = localDate(timeZone, at);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}

/** The instant at which the zone's clock reads the given local time (`day` may run past the month's end). */
function instantOf(timeZone: string, year: number, month: number, day: number, hour: number, minute: number): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // The offset of the instant depends on the instant: a second pass settles it across a change of offset. A local
  // time the change skips matches neither pass; the later one is that time on the clock as it was moved on.
  const first = wall - offsetAt(timeZone, wall);
  const second = wall - offsetAt(timeZone, first);
  const local = localDate(timeZone, second);
  return local.hour === hour && local.minute === minute ? second : Math.max(first, second);
}
