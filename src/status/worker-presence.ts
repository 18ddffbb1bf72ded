import { formatDuration } from '../lib/format-duration.js';

/**
 * Which workers are alive, from what each one writes about itself in Redis (worker-heartbeat.ts). Pure: every
 * function takes the instant it judges, by Redis's clock, which is the clock the workers wrote with.
 */

/** How often a worker announces itself. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
/** A worker not heard from for this long (three missed announcements) is taken for dead. */
export const ALIVE_WITHIN_MS = 3 * HEARTBEAT_INTERVAL_MS;
/** An entry older than this is dropped by the next worker to tidy up; status then no longer names it. */
export const FORGET_AFTER_MS = 7 * 24 * 3_600_000;

/** What one worker writes about itself, JSON in one field of the workers hash. */
export interface WorkerEntry {
  host: string;
  pid: number;
  /** ms since the epoch, by Redis's clock. */
  startedAt: number;
  seenAt: number;
  /** Set when the worker stopped on purpose (SIGTERM, SIGINT). */
  stoppedAt?: number;
}

export interface WorkerPresence {
  /** Workers heard from within {@link ALIVE_WITHIN_MS} that have not said they stopped. */
  alive: number;
  /** When any worker was last heard from (its last announcement or its goodbye); undefined if none ever was. */
  lastSeenAt: number | undefined;
  /** Redis's time when this was read. */
  at: number;
}

/** A hash field's value, or undefined when it is not an entry (written by something else, or damaged). */
export function parseWorkerEntry(text: string): WorkerEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const entry = value as Partial<Record<keyof WorkerEntry, unknown>>;
  const { host, pid, startedAt, seenAt, stoppedAt } = entry;
  if (typeof host !== 'string' || typeof pid !== 'number' || typeof startedAt !== 'number') return undefined;
  if (typeof seenAt !== 'number' || (stoppedAt !== undefined && typeof stoppedAt !== 'number')) return undefined;
  return { host, pid, startedAt, seenAt, ...(stoppedAt === undefined ? {} : { stoppedAt }) };
}

export function isAlive(entry: WorkerEntry, now: number): boolean {
  return entry.stoppedAt === undefined && now - entry.seenAt <= ALIVE_WITHIN_MS;
}

export function summarisePresence(entries: readonly WorkerEntry[], now: number): WorkerPresence {
  let lastSeenAt: number | undefined;
  for (const entry of entries) {
    const seen = Math.max(entry.seenAt, entry.stoppedAt ?? 0);
    if (lastSeenAt === undefined || seen > lastSeenAt) lastSeenAt = seen;
  }
  return { alive: entries.filter((entry) => isAlive(entry, now)).length, lastSeenAt, at: now };
}

/** `2 workers alive`, `no worker has been seen for 40 s`, `no worker has ever been seen`. */
export function describePresence(presence: WorkerPresence): string {
  if (presence.alive > 0) return `${presence.alive} ${presence.alive === 1 ? 'worker' : 'workers'} alive`;
  if (presence.lastSeenAt === undefined) return 'no worker has ever been seen';
  return `no worker has been seen for ${formatDuration(Math.max(0, presence.at - presence.lastSeenAt) / 1000)}`;
}
