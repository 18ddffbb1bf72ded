import { describe, expect, it } from '@jest/globals';
import { MessageStore } from '../../../src/sandbox/message-store.js';
import { makeMessageFacts } from '../../fixtures/sandbox/message-facts.js';

const message = makeMessageFacts;

describe('MessageStore', () => {
  it('lists newest first and filters by To, From and date_sent to the second', () => {
    const store = new MessageStore();
    const a = message({ to: '+1555000001', createdAt: new Date(Date.UTC(2024, 4, 1, 23, 59, 59, 900)) });
    const b = message({ to: '+1555000002', createdAt: new Date(Date.UTC(2024, 4, 2, 0, 0, 0)) });
    const c = message({ to: '+1555000001', from: 'HERALD', createdAt: new Date(Date.UTC(2024, 4, 2, 0, 0, 1)) });
    for (const facts of [a, b, c]) store.add(facts);

    expect(store.findNewestFirst({})).toEqual([c, b, a]);
    expect(store.findNewestFirst({ to: '+1555000001' })).toEqual([c, a]);
    expect(store.findNewestFirst({ from: 'HERALD' })).toEqual([c]);
    const may2 = Date.UTC(2024, 4, 2);
    expect(store.findNewestFirst({ sentFrom: may2 })).toEqual([c, b]);
    // 23:59:59.900 shows as 23:59:59, so it is before the 2nd even with a bound at 23:59:59.950.
    expect(store.findNewestFirst({ sentBefore: may2 })).toEqual([a]);
    expect(store.findNewestFirst({ sentFrom: may2, sentBefore: may2 + 1000 })).toEqual([b]);
  });

  it('fetches by SID and forgets everything on clear', () => {
    const store = new MessageStore();
    const a = message({});
    store.add(a);
    expect(store.get(a.sid)).toBe(a);
    store.clear();
    expect(store.get(a.sid)).toBeUndefined();
    expect(store.findNewestFirst({})).toEqual([]);
  });

  it('forgets the oldest messages, SID lookups included, beyond its capacity', () => {
    const store = new MessageStore(10);
    const added = Array.from({ length: 11 }, () => message({}));
    for (const facts of added) store.add(facts);
    const kept = store.findNewestFirst({});
    expect(kept.length).toBeLessThanOrEqual(10);
    expect(kept[0]).toBe(added[10]);
    expect(store.get(added[0]?.sid ?? '')).toBeUndefined();
    expect(store.get(added[10]?.sid ?? '')).toBe(added[10]);
  });
});
