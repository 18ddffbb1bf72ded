import { describe, expect, it } from '@jest/globals';
import { isFormContentType, parseForm, readList, readScalar } from '../../../src/sandbox/form.js';

describe('parseForm', () => {
  it('decodes as the SDK and curl --data-urlencode encode', () => {
    expect(parseForm('To=%2B14155550199&Body=Hello+there+%F0%9F%91%8D&From=whatsapp%3A%2B1415')).toEqual({
      To: '+14155550199',
      Body: 'Hello there 👍',
      From: 'whatsapp:+1415',
    });
  });

  it('collects repeated keys, and keeps MediaUrl a list even when posted once', () => {
    expect(parseForm('MediaUrl=https%3A%2F%2Fa&MediaUrl=https%3A%2F%2Fb&X=1&X=2')).toEqual({
      MediaUrl: ['https://a', 'https://b'],
      X: ['1', '2'],
    });
    expect(parseForm('MediaUrl=https%3A%2F%2Fa')).toEqual({ MediaUrl: ['https://a'] });
  });

  it('reads scalars (first value, empty as absent) and lists', () => {
    const params = parseForm('From=&To=%2B1&To=%2B2&MediaUrl=a');
    expect(readScalar(params, 'From')).toBeUndefined();
    expect(readScalar(params, 'To')).toBe('+1');
    expect(readScalar(params, 'Body')).toBeUndefined();
    expect(readList(params, 'MediaUrl')).toEqual(['a']);
    expect(readList(params, 'To')).toEqual(['+1', '+2']);
    expect(readList(params, 'Nope')).toEqual([]);
  });
});

describe('isFormContentType', () => {
  it.each([
    ['application/x-www-form-urlencoded', true],
    ['application/x-www-form-urlencoded; charset=utf-8', true],
    ['Application/X-WWW-Form-Urlencoded', true],
    ['application/json', false],
    [undefined, false],
  ])('%s → %s', (contentType, expected) => {
    expect(isFormContentType(contentType)).toBe(expected);
  });
});
