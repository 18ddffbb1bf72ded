import { describe, expect, it } from '@jest/globals';
import { parseCallbackOptions } from '../../../src/sandbox/callback-settings.js';

describe('parseCallbackOptions', () => {
  it('fills in the defaults', () => {
    expect(parseCallbackOptions({})).toEqual({
      ok: true,
      settings: {
        sentDelayMs: { min: 100, max: 1000 },
        deliveredDelayMs: { min: 500, max: 3000 },
        undeliveredShare: 0,
        undeliveredCodes: [
          [30003, 1],
          [30005, 1],
          [30006, 1],
          [30007, 1],
        ],
        readShare: 0,
        duplicateShare: 0,
        outOfOrderShare: 0,
        seed: undefined,
      },
    });
  });

  it('keeps given weights, unnamed codes weighing 0', () => {
    const parsed = parseCallbackOptions({ undeliveredShare: 0.2, undeliveredCodes: { 30006: 3, 30007: 1 }, seed: 5 });
    expect(parsed).toMatchObject({
      ok: true,
      settings: {
        undeliveredShare: 0.2,
        seed: 5,
        undeliveredCodes: [
          [30003, 0],
          [30005, 0],
          [30006, 3],
          [30007, 1],
        ],
      },
    });
  });

  it.each([
    [{ readShare: 2 }, 'callbacks.readShare must be a share from 0 to 1'],
    [{ duplicateShare: -1 }, 'callbacks.duplicateShare must be a share from 0 to 1'],
    [{ seed: -1 }, 'callbacks.seed must be a whole number from 0 to 4294967295'],
    [{ sentDelayMs: { min: 5, max: 1 } }, 'callbacks.sentDelayMs.min must not be above its max'],
    [
      { deliveredDelayMs: { min: -1, max: 1 } },
      'callbacks.deliveredDelayMs min and max must be whole milliseconds from 0 to 3600000',
    ],
    [{ undeliveredCodes: { 30003: -1 } }, 'callbacks.undeliveredCodes.30003 must be a weight from 0 to 1e6'],
  ])('refuses %j', (options, reason) => {
    expect(parseCallbackOptions(options)).toEqual({ ok: false, reason });
  });
});
