import { describe, expect, it } from '@jest/globals';
import { matchesCredentials, parseBasicAuth } from '../../../src/sandbox/basic-auth.js';

const header = (text: string): string => `Basic ${Buffer.from(text).toString('base64')}`;

describe('parseBasicAuth', () => {
  it('splits at the first colon, so a password may contain colons', () => {
    expect(parseBasicAuth(header('ACabc:to:ken'))).toEqual({ username: 'ACabc', password: 'to:ken' });
  });

  it.each([undefined, '', 'Bearer abc', 'Basic', header('no-colon')])('rejects %s', (value) => {
    expect(parseBasicAuth(value)).toBeUndefined();
  });
});

describe('matchesCredentials', () => {
  const expected = { username: 'ACabc', password: 'secret' };
  it('needs both parts equal', () => {
    expect(matchesCredentials({ username: 'ACabc', password: 'secret' }, expected)).toBe(true);
    expect(matchesCredentials({ username: 'ACabc', password: 'secreT' }, expected)).toBe(false);
    expect(matchesCredentials({ username: 'ACabd', password: 'secret' }, expected)).toBe(false);
    expect(matchesCredentials({ username: 'ACabc', password: 'secret-longer' }, expected)).toBe(false);
  });
});
