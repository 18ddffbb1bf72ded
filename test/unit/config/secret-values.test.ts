import { describe, expect, it } from '@jest/globals';

import { secretValuesOf } from '../../../src/config/secret-values.js';

describe('secretValuesOf', () => {
  it('lists the auth token and the passwords in secret URLs, as written and decoded, and nothing else', () => {
    const values = secretValuesOf({
      TWILIO_AUTH_TOKEN: 'tok-123456789',
      REDIS_URL: 'redis://herald:p%2Fa%40ss%25@10.0.0.1:6379',
      REDIS_CLUSTER_NODES: 'redis://:c%40pw@a:7000, b:7001',
      HERALD_PUBLIC_URL: 'https://hook:h%23pw@hooks.example.com/x',
      HERALD_TWILIO_BASE_URL: 'http://127.0.0.1:4010',
      TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
      HERALD_PREFIX: 'herald',
    });
    expect(values.sort()).toEqual(
      ['tok-123456789', 'p%2Fa%40ss%25', 'p/a@ss%', 'c%40pw', 'c@pw', 'h%23pw', 'h#pw'].sort(),
    );
  });

  it('treats user-info without a colon as a user name, which is no secret', () => {
    expect(secretValuesOf({ REDIS_URL: 'redis://default@10.0.0.1:6379' })).toEqual([]);
  });

  it('finds no secret in cluster seeds written as plain addresses', () => {
    expect(secretValuesOf({ REDIS_CLUSTER_NODES: '127.0.0.1:1, redis-a:7000,[::1]:7001' })).toEqual([]);
  });
});
