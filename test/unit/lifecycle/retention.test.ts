import { describe, expect, it } from '@jest/globals';

import type { CampaignName, CampaignSpec } from '../../../src/domain/campaign.js';
import { findDeleteRefusal, isPastRetention } from '../../../src/lifecycle/retention.js';
import type { CampaignRecord } from '../../../src/queue/campaign-store.js';

const DAY = 86_400_000;
const ENDED = Date.UTC(2026, 10, 1);
/** A finished campaign, changed by `extra`; `ended: false` leaves finishedAt out. */
const record = (extra: Partial<CampaignRecord> & { ended?: false } = {}): CampaignRecord => {
  const { ended, ...rest } = extra;
  return {
    spec: { name: 'c1' as CampaignName } as CampaignSpec,
    state: 'finished',
    ingest: 'done',
    createdAt: '2026-10-30T00:00:00.000Z',
    ...(ended === false ? {} : { finishedAt: new Date(ENDED).toISOString() }),
    ...rest,
  };
};

describe('when a campaign may be deleted', () => {
  it('only once it has ended and its file has been read', () => {
    expect(findDeleteRefusal(record({}))).toBeUndefined();
    expect(findDeleteRefusal(record({ state: 'cancelled' }))).toBeUndefined();
    expect(findDeleteRefusal(record({ state: 'running', ended: false }))).toMatch(/running, not ended; cancel/);
    expect(findDeleteRefusal(record({ state: 'cancelled', ended: false }))).toMatch(/wait for its last sends/);
    expect(findDeleteRefusal(record({ ingest: 'running' }))).toMatch(/still being read/);
  });

  it('by a worker, once it ended longer ago than the retention age; never with retention 0', () => {
    expect(isPastRetention(record({}), ENDED + 29 * DAY, 30 * DAY)).toBe(false);
    expect(isPastRetention(record({}), ENDED + 31 * DAY, 30 * DAY)).toBe(true);
    expect(isPastRetention(record({}), ENDED + 999 * DAY, 0)).toBe(false);
    expect(isPastRetention(record({ state: 'paused', ended: false }), ENDED + 99 * DAY, DAY)).toBe(false);
  });
});
