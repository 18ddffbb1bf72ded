import { describe, expect, it } from '@jest/globals';
import { findMagicNumberError } from '../../../src/sandbox/magic-numbers.js';

const ORDINARY = '+14155550100';

describe('findMagicNumberError', () => {
  const fromCases: Array<[string, number]> = [
    ['+15005550001', 21212],
    ['+15005550007', 21606],
    ['+15005550008', 21611],
  ];
  const toCases: Array<[string, number]> = [
    ['+15005550001', 21211],
    ['+15005550002', 21612],
    ['+15005550003', 21408],
    ['+15005550004', 21610],
    ['+15005550009', 21614],
  ];

  it.each(fromCases)('From %s answers %i', (from, code) => {
    expect(findMagicNumberError(from, ORDINARY)).toMatchObject({ code, status: 400 });
    expect(findMagicNumberError(`whatsapp:${from}`, `whatsapp:${ORDINARY}`)).toMatchObject({ code, status: 400 });
  });

  it.each(toCases)('To %s answers %i', (to, code) => {
    expect(findMagicNumberError(ORDINARY, to)).toMatchObject({ code, status: 400 });
    expect(findMagicNumberError(undefined, `whatsapp:${to}`)).toMatchObject({ code, status: 400 });
  });

  it('accepts the success number and any other From, unlike test credentials', () => {
    expect(findMagicNumberError('+15005550006', ORDINARY)).toBeUndefined();
    expect(findMagicNumberError(ORDINARY, '+15005550006')).toBeUndefined();
    expect(findMagicNumberError('HERALD', ORDINARY)).toBeUndefined();
  });

  it('checks From before To', () => {
    expect(findMagicNumberError('+15005550007', '+15005550004')?.code).toBe(21606);
  });

  it('quotes the address as posted', () => {
    expect(findMagicNumberError(ORDINARY, 'whatsapp:+15005550001')?.message).toContain('whatsapp:+15005550001');
  });
});
