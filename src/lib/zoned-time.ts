/**
 * Times as an operator reads and writes them: in their own time zone, and always printed with it. Pure apart from
 * {@link operatorZone}, which asks the runtime.
 */

/** The operator's IANA time zone: the `TZ` variable when set (Node's ICU reads it), else the machine's. */
export function operatorZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(zone: string, at: number): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string> {
  let format = formatters.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(at)).map((part) => [part.type, part.value]));
  return {
    year: parts['year'] ?? '',
    month: parts['month'] ?? '',
    day: parts['day'] ?? '',
    hour: parts['hour'] ?? '',
    minute: parts['minute'] ?? '',
    second: parts['second'] ?? '',
  };
}

/** `UTC` for the zones that are UTC, else the IANA name. */
export function zoneLabel(zone: string): string {
  return zone === 'UTC' || zone === 'Etc/UTC' || zone === 'Etc/GMT' || zone === 'GMT' ? 'UTC' : zone;
}

/**
 * An instant as `2026-11-27 09:00 America/New_York`, to the minute (or the second with `seconds`), or only the time
 * of day (`09:00 America/New_York`) with `date: false`. The zone is always named, so no printed time is ambiguous.
 */
export function formatZoned(at: number, zone: string, options: { seconds?: boolean; date?: boolean } = {}): string {
  const p = partsIn(zone, at);
  const time = `${p.hour}:${p.minute}${options.seconds === true ? `:${p.second}` : ''}`;
  const day = options.date === false ? '' : `${p.year}-${p.month}-${p.day} `;
  return `${day}${time} ${zoneLabel(zone)}`;
}

/**
 * The instant at which the wall clock in `zone` shows the given local date and time. A wall time skipped by a DST
 * change is read with the offset before the change (02:30 on a spring-forward night is 03:30); one that occurs
 * twice is the first.
 */
export function instantOfWallTime(
  wall: { year: number; month: number; day: number; hour: number; minute: number; second?: number; ms?: number },
  zone: string,
): number {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second ?? 0, wall.ms ?? 0);
  const before = utcOffsetMinutes(zone, new Date(asUtc - 86_400_000));
  const after = utcOffsetMinutes(zone, new Date(asUtc + 86_400_000));
  // Of the zone's offsets around that day, the one that maps back to the wall time wins; the earlier one first.
  for (const offset of [Math.max(before, after), Math.min(before, after)]) {
    const at = asUtc - offset * 60_000;
    if (utcOffsetMinutes(zone, new Date(at)) === offset) return at;
  }
  return asUtc - before * 60_000;
}

/** The zone's offset from UTC at `at`, in minutes (east positive). */
export function utcOffsetMinutes(zone: string, at: Date): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((part) => part.type === 'timeZoneName')?.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
  if (match === null) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}
