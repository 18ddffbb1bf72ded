import { describe, expect, it } from '@jest/globals';
import { MessageStore } from '../../../src/sandbox/message-store.js';
import { makeMessageFacts } from '../../fixtures/sandbox/message-facts.js';

const message = makeMessageFacts;

describe('MessageStore', () => {
  /** A message that left its queue (was sent) at `ms`. */
  const sentAt = (ms: number) => ({ createdAt: new Date(ms - 500), delivery: [{ status: 'sent' as const, at: ms }] });
  const NOW = Date.UTC(2024, 5, 1);

  it('lists newest first and filters by To, From and date_sent to the second', () => {
    const store = new MessageStore();
    const a = message({ to: '+1555000001', ...sentAt(Date.UTC(2024, 4, 1, 23, 59, 59, 900)) });
    const b = message({ to: '+1555000002', ...sentAt(Date.UTC(2024, 4, 2, 0, 0, 0)) });
    const c = message({ to: '+1555000001', from: 'HERALD', ...sentAt(Date.UTC(2024, 4, 2, 0, 0, 1)) });
    for (const facts of [a, b, c]) store.add(facts);
    const findNewestFirst = (filter: Parameters<MessageStore['findNewestFirst']>[0]) =>
      store.findNewestFirst(filter, NOW);

    expect(findNewestFirst({})).toEqual([c, b, a]);
    expect(findNewestFirst({ to: '+1555000001' })).toEqual([c, a]);
    expect(findNewestFirst({ from: 'HERALD' })).toEqual([c]);
    const may2 = Date.UTC(2024, 4, 2);
    expect(findNewestFirst({ sentFrom: may2 })).toEqual([c, b]);
    // 23:59:59.900 shows as 23:59:59, so it is before the 2nd even with a bound at 23:59:59.950.
    expect(findNewestFirst({ sentBefore: may2 })).toEqual([a]);
    expect(findNewestFirst({ sentFrom: may2, sentBefore: may2 + 1000 })).toEqual([b]);
  });

  it('leaves a message that has not left its queue out of date_sent filters, as it has no date_sent', () => {
    const store = new MessageStore();
    const queued = message({ createdAt: new Date(NOW - 1000) });
    const leavesLater = message({ ...sentAt(NOW + 60_000) });
    store.add(queued);
    store.add(leavesLater);
    expect(store.findNewestFirst({}, NOW)).toEqual([leavesLater, queued]);
    expect(store.findNewestFirst({ sentFrom: 0 }, NOW)).toEqual([]);
    expect(store.findNewestFirst({ sentFrom: 0 }, NOW + 60_000)).toEqual([leavesLater]);
  });

  it('fetches by SID and forgets everything on clear', () => {
    const store = new MessageStore();
    const a = message({});
    store.add(a);
    expect(store.get(a.sid)).toBe(a);
    store.clear();
    expect(store.get(a.sid)).toBeUndefined();
    expect(store.findNewestFirst({}, NOW)).toEqual([]);
  });

  it('forgets the oldest messages, SID lookups included, beyond its capacity', () => {
    const store = new MessageStore(10);
    const added = Array.from({ length: 11 }, () => message({}));
    for (const facts of added) store.add(facts);
    const kept = store.findNewestFirst({}, NOW);
    expect(kept.length).toBeLessThanOrEqual(10);
    expect(kept[0]).toBe(added[10]);
    expect(store.get(added[0]?.sid ?? '')).toBeUndefined();
    expect(store.get(added[10]?.sid ?? '')).toBe(added[10]);
  });
});
