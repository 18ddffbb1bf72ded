import { describe, expect, it } from '@jest/globals';
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
  const rules = (maxBacklogMs: number | undefined, mps = 1): SenderQueueRules => ({ mpsOf: () => mps, maxBacklogMs });

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
    expect(queues.stats(T0)).toEqual([{ sender: 'a', mps: 1, accepted: 1, queuedSegments: 3, backlogSeconds: 3 }]);
    expect(queues.enqueue('a', 2, T0)).toEqual(QUEUE_FULL);
    expect(queues.enqueue('a', 1, T0)).toEqual({ ok: true, sendAt: T0 + 4000 });
  });

  it('paces at the sender’s MPS', () => {
    const queues = new SenderQueues(rules(60_000, 10));
    for (let index = 0; index < 25; index += 1) queues.enqueue('s', 1, T0);
    expect(queues.stats(T0 + 1000)).toEqual([
      { sender: 's', mps: 10, accepted: 25, queuedSegments: 15, backlogSeconds: 1.5 },
    ]);
    expect(queues.stats(T0 + 5000)).toEqual([
      { sender: 's', mps: 10, accepted: 25, queuedSegments: 0, backlogSeconds: 0 },
    ]);
  });

  it('without a limit never refuses and sends at once, but still models the backlog', () => {
    const queues = new SenderQueues(rules(undefined));
    for (let index = 0; index < 100; index += 1) expect(queues.enqueue('a', 1, T0)).toEqual({ ok: true, sendAt: T0 });
    expect(queues.stats(T0)).toMatchObject([{ accepted: 100, queuedSegments: 100, backlogSeconds: 100 }]);
    queues.clear();
    expect(queues.stats(T0)).toEqual([]);
  });
});

describe('makeSenderQueueRules', () => {
  it('uses overrides, else the kind’s default, and turns hours into ms', () => {
    const rules = makeSenderQueueRules({ mps: { '+14155550100': 25 }, maxQueueHours: 2 / 3600 });
    expect(rules.maxBacklogMs).toBe(2000);
    expect(rules.mpsOf('+14155550100')).toBe(25);
    expect(rules.mpsOf('+14155550101')).toBe(1);
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
