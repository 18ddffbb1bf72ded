import { instantOfWallTime } from '../lib/zoned-time.js';
import { utcOffsetMinutes } from '../lib/zoned-time.js';

/**
 * When a daily cap resets: the next instant after `now` at which the clock in `timeZone` reads `resetAt` (`HH:MM`),
 * in ms since the epoch. The zone's own daylight saving time applies: a day is 23 or 25 hours around a change, and a
 * reset time the change skips (02:30 on a spring-forward night) falls at 03:30. Pure.
 */
export function nextResetAt(resetAt: string, timeZone: string, now: number): number {
  const [hour = 0, minute = 0] = resetAt.split(':').map(Number);
  // The zone's date now, read from a Date shifted by its offset.
  const local = new Date(now + utcOffsetMinutes(timeZone, new Date(now)) * 60_000);
  for (let days = 0; ; days += 1) {
    const wall = {
      year: local.getUTCFullYear(),
      month: local.getUTCMonth() + 1,
      day: local.getUTCDate() + days,
      hour,
      minute,
    };
    const at = instantOfWallTime(wall, timeZone);
    if (at > now) return at;
  }
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
