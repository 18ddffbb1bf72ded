import { describe, expect, it } from '@jest/globals';
import { admitMessage, type AdmissionState } from '../../../src/sandbox/admission.js';
import { ArrivalLog } from '../../../src/sandbox/arrival-log.js';
import { DailyCounts } from '../../../src/sandbox/daily-cap.js';
import { SenderQueues } from '../../../src/sandbox/sender-queues.js';
import { makeMessageFacts } from '../../fixtures/sandbox/message-facts.js';

const AC = `AC${'4'.repeat(32)}`;
const MG = `MG${'b'.repeat(32)}`;
const T0 = Date.UTC(2024, 4, 1, 12);

function makeState(cap: number | undefined, maxBacklogMs: number | undefined): AdmissionState {
  return {
    accountSid: AC,
    dailyCap: () => cap,
    dailyCounts: new DailyCounts(),
    queues: new SenderQueues({ mpsOf: () => 1, maxBacklogMs }),
    arrivals: new ArrivalLog(),
    recipientRefusal: () => undefined,
  };
}

describe('admitMessage', () => {
  it('caps each sender per day with 63038 and records the fault', () => {
    const state = makeState(2, undefined);
    const fromA = makeMessageFacts({ from: '+14155550100' });
    const viaService = makeMessageFacts({ from: undefined, messagingServiceSid: MG });
    expect(admitMessage(fromA, T0, state)).toEqual({ ok: true, sendAt: T0 });
    expect(admitMessage(fromA, T0 + 1, state)).toEqual({ ok: true, sendAt: T0 + 1 });
    expect(admitMessage(fromA, T0 + 2, state)).toEqual({
      ok: false,
      fault: 'daily-cap',
      error: { status: 429, code: 63038, message: `Account ${AC} exceeded the 2 daily messages limit` },
    });
    expect(admitMessage(viaService, T0 + 3, state)).toMatchObject({ ok: true });
    expect(state.arrivals.bySender()).toEqual(
      new Map([
        ['+14155550100', [T0, T0 + 1]],
        [MG, [T0 + 3]],
      ]),
    );
  });

  it('answers 21611 past the sender’s queue without counting the refused message', () => {
    const state = makeState(10, 2000);
    const sms = makeMessageFacts({ from: '+14155550100', numSegments: 2 });
    expect(admitMessage(sms, T0, state)).toEqual({ ok: true, sendAt: T0 + 2000 });
    expect(admitMessage(sms, T0, state)).toMatchObject({ ok: false, fault: 'queue-full', error: { code: 21611 } });
    expect(state.dailyCounts.countToday('+14155550100', T0)).toBe(1);
    expect(state.queues.stats(T0)).toMatchObject([{ accepted: 1, queuedSegments: 2 }]);
  });
});
