import { describe, expect, it } from '@jest/globals';

import {
  ALIVE_WITHIN_MS,
  describePresence,
  parseWorkerEntry,
  summarisePresence,
  type WorkerEntry,
} from '../../../src/status/worker-presence.js';

const NOW = 1_800_000_000_000;
const entry = (seenAgoMs: number, extra: Partial<WorkerEntry> = {}): WorkerEntry => ({
  host: 'h',
  pid: 1,
  startedAt: NOW - 3_600_000,
  seenAt: NOW - seenAgoMs,
  ...extra,
});

describe('worker presence', () => {
  it('counts as alive a worker heard from within three announcements that has not stopped', () => {
    const presence = summarisePresence(
      [entry(1000), entry(ALIVE_WITHIN_MS), entry(ALIVE_WITHIN_MS + 1), entry(500, { stoppedAt: NOW - 500 })],
      NOW,
    );
    expect(presence).toEqual({ alive: 2, lastSeenAt: NOW - 500, at: NOW });
    expect(describePresence(presence)).toBe('2 workers alive');
    expect(describePresence({ ...presence, alive: 1 })).toBe('1 worker alive');
  });

  it('says for how long none has been seen, or that none ever was', () => {
    expect(describePresence(summarisePresence([entry(40_000), entry(95_000)], NOW))).toBe(
      'no worker has been seen for 40 s',
    );
    expect(describePresence(summarisePresence([entry(2 * 3_600_000)], NOW))).toBe(
      'no worker has been seen for 2 h 0 min',
    );
    // A goodbye counts as being seen: the worker was there until then.
    expect(describePresence(summarisePresence([entry(60_000, { stoppedAt: NOW - 5000 })], NOW))).toBe(
      'no worker has been seen for 5 s',
    );
    expect(describePresence(summarisePresence([], NOW))).toBe('no worker has ever been seen');
  });

  it('reads only well-formed entries', () => {
    const good = entry(0);
    expect(parseWorkerEntry(JSON.stringify(good))).toEqual(good);
    for (const bad of ['', 'nope', '[]', '{"host":"h"}', JSON.stringify({ ...good, stoppedAt: 'x' })]) {
      expect(parseWorkerEntry(bad)).toBeUndefined();
    }
  });
});
