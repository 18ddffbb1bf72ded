import { describe, expect, it } from '@jest/globals';

import type { E164 } from '../../../src/domain/e164.js';
import { MAX_SEND_ATTEMPTS, WORKER_SETTINGS } from '../../../src/config/settings.js';
import { sendJobOptions } from '../../../src/store/job-options.js';

describe('send job options', () => {
  it('stay within Redis’s 64-byte compact-hash value for numbers of up to 14 characters', () => {
    // BullMQ stores the options, id included, as this JSON in the job hash; over 64 bytes the hash is a hashtable.
    for (const to of ['+12125550100', '+447911123456', '+8613912345678'] as E164[]) {
      expect(Buffer.byteLength(JSON.stringify(sendJobOptions(to)))).toBeLessThanOrEqual(64);
    }
  });

  it('leave retention to the Worker, so every job does not store it', () => {
    expect(Object.keys(sendJobOptions('+12125550100' as E164)).sort()).toEqual(['attempts', 'backoff', 'jobId']);
  });

  it('keep BullMQ’s attempt ceiling above every HERALD_ATTEMPTS the settings accept', () => {
    const ceiling = sendJobOptions('+12125550100' as E164).attempts;
    const { schema } = WORKER_SETTINGS.attempts;
    expect(schema.safeParse(String(MAX_SEND_ATTEMPTS)).success).toBe(true);
    expect(ceiling).toBeGreaterThan(MAX_SEND_ATTEMPTS);
    const refused = schema.safeParse(String(MAX_SEND_ATTEMPTS + 1));
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toBe(`must be at most ${MAX_SEND_ATTEMPTS}`);
  });
});
