import { describe, expect, it } from '@jest/globals';
import { parseFaultSettings } from '../../../src/sandbox/fault-settings.js';

describe('parseFaultSettings', () => {
  it.each([
    [{}, {}],
    [
      { rate429: 0.05, retryAfterSeconds: 2, seed: 7 },
      { rate429: 0.05, retryAfterSeconds: 2, seed: 7 },
    ],
    [
      { rate429: 0.1, rate500: 0.2, rate503: 0.7 },
      { rate429: 0.1, rate500: 0.2, rate503: 0.7 },
    ],
    [
      { acceptThenDrop: 1, dailyCap: 500 },
      { acceptThenDrop: 1, dailyCap: 500 },
    ],
    [{ rate429: undefined, rate500: 0 }, { rate500: 0 }],
  ])('accepts %j', (input, settings) => {
    expect(parseFaultSettings(input)).toEqual({ ok: true, settings });
  });

  it.each([
    [null, 'faults must be an object'],
    [[0.1], 'faults must be an object'],
    [{ rate429: 1.5 }, 'faults.rate429 must be a share from 0 to 1'],
    [{ rate500: -0.1 }, 'faults.rate500 must be a share from 0 to 1'],
    [{ rate503: '0.1' }, 'faults.rate503 must be a share from 0 to 1'],
    [{ acceptThenDrop: Number.NaN }, 'faults.acceptThenDrop must be a share from 0 to 1'],
    [{ dailyCap: 0 }, 'faults.dailyCap must be a whole number from 1 to 1000000000'],
    [{ dailyCap: 2.5 }, 'faults.dailyCap must be a whole number from 1 to 1000000000'],
    [{ retryAfterSeconds: -1 }, 'faults.retryAfterSeconds must be whole seconds from 0 to 86400'],
    [{ seed: 2 ** 32 }, 'faults.seed must be a whole number from 0 to 4294967295'],
    [{ rate: 0.1 }, 'faults.rate is not a fault setting'],
    [{ rate429: 0.5, rate500: 0.3, rate503: 0.3 }, 'faults.rate429 + rate500 + rate503 must be at most 1'],
  ])('refuses %j', (input, reason) => {
    expect(parseFaultSettings(input)).toEqual({ ok: false, reason });
  });
});
