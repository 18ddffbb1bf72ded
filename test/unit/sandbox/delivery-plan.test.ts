import { describe, expect, it } from '@jest/globals';
import {
  type CallbackSettings,
  parseCallbackOptions,
  type CallbackOptions,
} from '../../../src/sandbox/callback-settings.js';
import { findDeliveryState, planDelivery, type DeliveryEvent } from '../../../src/sandbox/delivery-plan.js';
import { makeRandom, type Random } from '../../../src/sandbox/random.js';

const T0 = 1_000_000;

function settingsOf(options: CallbackOptions): CallbackSettings {
  const parsed = parseCallbackOptions({
    sentDelayMs: { min: 100, max: 100 },
    deliveredDelayMs: { min: 1000, max: 1000 },
    ...options,
  });
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.settings;
}

/** Hands out the given draws in order, so each decision in the plan can be steered. */
function scripted(...draws: number[]): Random {
  return () => {
    const draw = draws.shift();
    if (draw === undefined) throw new Error('planDelivery drew more than scripted');
    return draw;
  };
}

describe('planDelivery', () => {
  // Draws: sent delay, final delay, undelivered?, [code], [read?], out of order?, then one per event: duplicate?
  it('sends sent then delivered after the carrier delays', () => {
    const events = planDelivery(T0, false, settingsOf({}), scripted(0, 0, 0.5, 0.5, 0.5, 0.5));
    expect(events).toEqual([
      { status: 'sent', at: T0 + 100 },
      { status: 'delivered', at: T0 + 1100 },
    ]);
  });

  it('ends undelivered with a code picked by weight', () => {
    const settings = settingsOf({ undeliveredShare: 0.3, undeliveredCodes: { 30003: 1, 30006: 1 } });
    const events = planDelivery(T0, false, settings, scripted(0, 0, 0.2, 0.75, 0.5, 0.5, 0.5));
    expect(events).toEqual([
      { status: 'sent', at: T0 + 100 },
      { status: 'undelivered', errorCode: 30006, at: T0 + 1100 },
    ]);
  });

  it('adds read after delivered, for WhatsApp only', () => {
    const settings = settingsOf({ readShare: 0.5 });
    expect(planDelivery(T0, true, settings, scripted(0, 0, 0.9, 0.1, 0, 0.9, 0.9, 0.9, 0.9))).toEqual([
      { status: 'sent', at: T0 + 100 },
      { status: 'delivered', at: T0 + 1100 },
      { status: 'read', at: T0 + 2100 },
    ]);
    expect(planDelivery(T0, false, settings, scripted(0, 0, 0.9, 0.9, 0.9, 0.9))).toHaveLength(2);
  });

  it('puts the final status first when out of order', () => {
    const settings = settingsOf({ outOfOrderShare: 0.5 });
    expect(planDelivery(T0, false, settings, scripted(0, 0, 0.9, 0.1, 0.9, 0.9))).toEqual([
      { status: 'delivered', at: T0 + 100 },
      { status: 'sent', at: T0 + 1100 },
    ]);
  });

  it('repeats a duplicated callback straight after itself', () => {
    const settings = settingsOf({ duplicateShare: 0.5 });
    expect(planDelivery(T0, false, settings, scripted(0, 0, 0.9, 0.9, 0.9, 0.1))).toEqual([
      { status: 'sent', at: T0 + 100 },
      { status: 'delivered', at: T0 + 1100 },
      { status: 'delivered', at: T0 + 1100 },
    ]);
  });

  it('draws delays within their ranges and shares near their targets', () => {
    const settings = settingsOf({
      sentDelayMs: { min: 10, max: 20 },
      deliveredDelayMs: { min: 100, max: 200 },
      undeliveredShare: 0.25,
    });
    const random = makeRandom(3);
    const plans = Array.from({ length: 4000 }, () => planDelivery(T0, false, settings, random));
    for (const [sent, final] of plans) {
      expect(sent?.at).toBeGreaterThanOrEqual(T0 + 10);
      expect(sent?.at).toBeLessThanOrEqual(T0 + 20);
      expect((final?.at ?? 0) - (sent?.at ?? 0)).toBeGreaterThanOrEqual(100);
      expect((final?.at ?? 0) - (sent?.at ?? 0)).toBeLessThanOrEqual(200);
    }
    const undelivered = plans.filter((plan) => plan[1]?.status === 'undelivered').length;
    expect(undelivered / plans.length).toBeGreaterThan(0.22);
    expect(undelivered / plans.length).toBeLessThan(0.28);
  });
});

describe('findDeliveryState', () => {
  const events: DeliveryEvent[] = [
    { status: 'undelivered', errorCode: 30003, at: 10 },
    { status: 'sent', at: 20 },
  ];

  it.each([
    [9, undefined],
    [10, 'undelivered'],
    [25, 'undelivered'],
  ])('at %i the furthest status reached is %s', (now, status) => {
    expect(findDeliveryState(events, now)?.status).toBe(status);
  });

  it('moves on to read', () => {
    const read: DeliveryEvent[] = [
      { status: 'sent', at: 1 },
      { status: 'delivered', at: 2 },
      { status: 'read', at: 3 },
    ];
    expect(findDeliveryState(read, 3)).toEqual({ status: 'read', at: 3 });
  });
});
