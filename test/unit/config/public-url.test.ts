import { describe, expect, it } from '@jest/globals';

import { ConfigError, loadWorkerConfig } from '../../../src/config/load-config.js';

const base = { TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'token-123456' };

function problemOf(env: Record<string, string>): string | undefined {
  try {
    loadWorkerConfig({ ...base, ...env });
    return undefined;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.message;
  }
}

describe('HERALD_PUBLIC_URL', () => {
  it('takes a query string (kept at the end of callback URLs) and user-info', () => {
    expect(problemOf({ HERALD_PUBLIC_URL: 'https://gw.example.com/hooks?tenant=7' })).toBeUndefined();
    expect(problemOf({ HERALD_PUBLIC_URL: 'https://u:p%40ss@gw.example.com' })).toBeUndefined();
  });

  it('refuses a fragment, and a URL that does not parse, in one line without the value', () => {
    expect(problemOf({ HERALD_PUBLIC_URL: 'https://u:s3cret-pw@gw.example.com/#x' })).toBe(
      'config: HERALD_PUBLIC_URL must not have a #fragment',
    );
    const unparsed = problemOf({ HERALD_PUBLIC_URL: 'https://u:s3cret/pw@gw.example.com' });
    expect(unparsed).toBe('config: HERALD_PUBLIC_URL is not an http:// or https:// URL');
  });
});
