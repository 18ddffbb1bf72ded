import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';

import { encodeForm } from '../../../src/send/encode-form.js';

// The SDK's own encoder (a dependency of twilio), as the oracle.
const qs = createRequire(import.meta.url)('qs') as {
  stringify: (value: object, options: { arrayFormat: 'repeat' }) => string;
};

describe('encodeForm', () => {
  it.each([
    { To: '+1 415', Body: "hi! it's (50% off)* ~_.-é😀&=?/", MediaUrl: ['a', 'b c'], Empty: [] },
    { U: undefined, N: null, D: new Date(Date.UTC(2024, 0, 2)), B: true, Num: 3, 'Key With Space': 'v' },
    {},
  ])('encodes %p as qs does with arrayFormat repeat', (params) => {
    expect(encodeForm(params)).toBe(qs.stringify(params, { arrayFormat: 'repeat' }));
  });

  it('declines a nested object, which qs would encode with brackets', () => {
    expect(encodeForm({ Outer: { inner: 'x' } })).toBeUndefined();
  });
});
