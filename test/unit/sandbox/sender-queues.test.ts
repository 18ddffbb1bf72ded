import { describe, expect, it } from '@jest/globals';

import type { RateGroups } from '../../../src/domain/rate-group.js';
import {
  defaultSenderMps,
  makeSenderQueueRules,
  SenderQueues,
  type SenderQueueRules,
} from '../../../src/sandbox/sender-queues.js';

const T0 = 1_700_000_000_000;
const QUEUE_FULL = {
  ok: false,
  error: { status: 400, code: 21611, message: "This 'From' number has exceeded the maximum number of queued messages" },
};

describe('SenderQueues', () => {
  const rules = (maxBacklogMs: number | undefined, mps = 1): SenderQueueRules => ({
    linksOf: (sender) => [{ id: `s:${sender}`, intervalMs: 1000 / mps }],
    maxBacklogMs,
  });
  const stat = (sender: string, mps: number, accepted: number, queued: number, backlog: number, peak: number) => ({
    sender,
    mps,
    accepted,
    queuedSegments: queued,
    backlogSeconds: backlog,
    peakBacklogSeconds: peak,
  });

  it('holds 2 s of sending at 1 MPS, then answers 21611 until the queue drains', () => {
    const queues = new SenderQueues(rules(2000));
    expect(queues.enqueue('a', 1, T0)).toEqual({ ok: true, sendAt: T0 + 1000 });
    expect(queues.enqueue('a', 1, T0 + 10)).toEqual({ ok: true, sendAt: T0 + 2000 });
    expect(queues.enqueue('a', 1, T0 + 20)).toEqual(QUEUE_FULL);
    // Another sender has its own queue.
    expect(queues.enqueue('b', 1, T0 + 20)).toEqual({ ok: true, sendAt: T0 + 1020 });
    // Once a segment has gone, there is room for one more.
    expect(queues.enqueue('a', 1, T0 + 1000)).toEqual({ ok: true, sendAt: T0 + 3000 });
  });

  it('counts segments: a 3-segment SMS takes 3 s at 1 MPS', () => {
    const queues = new SenderQueues(rules(4000));
    expect(queues.enqueue('a', 3, T0)).toEqual({ ok: true, sendAt: T0 + 3000 });
    expect(queues.stats(T0)).toEqual([stat('a', 1, 1, 3, 3, 0)]);
    expect(queues.enqueue('a', 2, T0)).toEqual(QUEUE_FULL);
    expect(queues.enqueue('a', 1, T0)).toEqual({ ok: true, sendAt: T0 + 4000 });
  });

  it('paces at the sender’s MPS', () => {
    const queues = new SenderQueues(rules(60_000, 10));
    for (let index = 0; index < 25; index += 1) queues.enqueue('s', 1, T0);
    // The 25th waited 2.4 s before it started to be sent: the longest wait of the run.
    expect(queues.stats(T0 + 1000)).toEqual([stat('s', 10, 25, 15, 1.5, 2.4)]);
    expect(queues.stats(T0 + 5000)).toEqual([stat('s', 10, 25, 0, 0, 2.4)]);
  });

  it('without a limit never refuses and sends at once, but still models the backlog', () => {
    const queues = new SenderQueues(rules(undefined));
    for (let index = 0; index < 100; index += 1) expect(queues.enqueue('a', 1, T0)).toEqual({ ok: true, sendAt: T0 });
    expect(queues.stats(T0)).toMatchObject([{ accepted: 100, queuedSegments: 100, backlogSeconds: 100 }]);
    queues.clear();
    expect(queues.stats(T0)).toEqual([]);
  });
});

describe('SenderQueues with rate groups', () => {
  const groups: RateGroups = {
    groups: new Map([
      ['pool', { name: 'pool', kind: 'pool', limit: { count: 4, per: 'second' }, memberLimit: 'none' }],
    ]),
    senders: new Map([
      ['p14155550100', { group: 'pool' }],
      ['p14155550101', { group: 'pool' }],
    ]),
  };

  it('sends a pool’s numbers together at the pool’s rate, and reports the pool’s queue', () => {
    const queues = new SenderQueues(makeSenderQueueRules({ groups }));
    // Four messages a second from each of two numbers into a pool of 4/s: the queue grows by one second per second.
    for (let index = 0; index < 4; index += 1) {
      queues.enqueue('+14155550100', 1, T0 + index * 250);
      queues.enqueue('+14155550101', 1, T0 + index * 250);
    }
    expect(queues.groupStats(T0 + 1000)).toEqual([
      { group: 'pool', mps: 4, accepted: 8, queuedSegments: 4, backlogSeconds: 1, peakBacklogSeconds: 1 },
    ]);
    expect(queues.stats(T0 + 1000).map((stats) => [stats.sender, stats.mps, stats.backlogSeconds])).toEqual([
      ['+14155550100', 4, 1],
      ['+14155550101', 4, 1],
    ]);
  });

  it('keeps a sender’s own limit inside its group', () => {
    const queues = new SenderQueues(makeSenderQueueRules({ groups, mps: { '+14155550100': 1 } }));
    queues.enqueue('+14155550100', 1, T0);
    queues.enqueue('+14155550100', 1, T0);
    expect(queues.stats(T0)[0]).toMatchObject({ mps: 1, backlogSeconds: 2, peakBacklogSeconds: 1 });
  });
});

describe('makeSenderQueueRules', () => {
  it('uses overrides, else the kind’s default, and turns hours into ms', () => {
    const rules = makeSenderQueueRules({ mps: { '+14155550100': 25 }, maxQueueHours: 2 / 3600 });
    expect(rules.maxBacklogMs).toBe(2000);
    expect(rules.linksOf('+14155550100')).toEqual([{ id: 's:+14155550100', intervalMs: 40 }]);
    expect(rules.linksOf('+14155550101')).toEqual([{ id: 's:+14155550101', intervalMs: 1000 }]);
    expect(makeSenderQueueRules({}).maxBacklogMs).toBe(4 * 3_600_000);
    expect(makeSenderQueueRules(undefined).maxBacklogMs).toBeUndefined();
  });

  it.each([
    [{ maxQueueHours: 0 }, 'senderQueues.maxQueueHours must be hours above 0, at most 24'],
    [
      { mps: { '+14155550100': 0 } },
      'senderQueues.mps[+14155550100] must be messages per second above 0, at most 100000',
    ],
  ])('refuses %j', (options, message) => {
    expect(() => makeSenderQueueRules(options)).toThrow(new RangeError(message));
  });
});

describe('defaultSenderMps', () => {
  it.each([
    ['+14155550100', 1],
    ['+18005550100', 3],
    ['12345', 100],
    ['whatsapp:+14155550100', 80],
    [`MG${'a'.repeat(32)}`, 1],
    ['HERALD', 1],
  ])('%s sends %i per second', (sender, mps) => {
    expect(defaultSenderMps(sender)).toBe(mps);
  });
});
