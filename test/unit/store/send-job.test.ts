import { describe, expect, it } from '@jest/globals';
import { UnrecoverableError } from 'bullmq';

import type { E164 } from '../../../src/domain/e164.js';
import { decodeSendJob, encodeSendJob, type SendJobData } from '../../../src/store/send-job.js';

const TO = '+12122999999' as E164;
const VARIABLES = ['first_name', 'code'];

function job(overrides: Partial<SendJobData> = {}): SendJobData {
  return {
    line: 1_000_001,
    to: TO,
    channel: 'sms',
    segments: 1,
    vars: { first_name: 'Name9972', code: 'C999999' },
    ...overrides,
  };
}

/** What BullMQ writes into the job hash's `data` field. */
const storedBytes = (data: unknown) => Buffer.byteLength(JSON.stringify(data));

describe('stored send job', () => {
  it('reads back what it stored, the recipient from the job id', () => {
    for (const channel of ['sms', 'mms', 'whatsapp'] as const) {
      const original = job({ channel, segments: channel === 'sms' ? 3 : 1 });
      const stored = JSON.parse(JSON.stringify(encodeSendJob(original, VARIABLES))) as unknown;
      expect(decodeSendJob(stored, TO, VARIABLES)).toEqual(original);
    }
  });

  it('keeps when Twilio first throttled the message', () => {
    const original = job({ throttledSince: 1_790_000_000_000 });
    expect(decodeSendJob(encodeSendJob(original, VARIABLES), TO, VARIABLES)).toEqual(original);
  });

  it('stores a million-row campaign’s job in under 64 bytes, Redis’s compact-hash limit', () => {
    // The benchmark's rows: phone, first_name, code on line 1,000,001. The readable form took ~104 bytes.
    expect(storedBytes(encodeSendJob(job(), VARIABLES))).toBeLessThanOrEqual(64);
    expect(storedBytes(job())).toBeGreaterThan(64);
  });

  it('stores only the variables the templates read, in their order, and an empty value for a missing one', () => {
    const stored = encodeSendJob(job({ vars: { code: 'C1', first_name: 'Ann', extra: 'x' } }), VARIABLES);
    expect(stored.v).toEqual(['Ann', 'C1']);
    expect(encodeSendJob(job({ vars: { code: 'C1' } }), VARIABLES).v).toEqual(['', 'C1']);
  });

  it('fails a job of another format at once with a readable reason, never retried', () => {
    const readable = { line: 2, to: TO, channel: 'sms', segments: 1, vars: { first_name: 'Ann', code: 'C1' } };
    const decode =
      (data: unknown, id: string | undefined = TO) =>
      () =>
        decodeSendJob(data, id, VARIABLES);
    expect(decode(readable)).toThrow(UnrecoverableError);
    expect(decode(readable)).toThrow(
      `job ${TO} is not in herald's send job format (queued by another version of herald, or by hand?)`,
    );
    expect(decode({ l: 2, c: 'toString', n: 1, v: ['Ann', 'C1'] })).toThrow(UnrecoverableError);
    expect(decode({ l: 2, c: 's', n: 1, v: ['Ann'] })).toThrow(UnrecoverableError);
    expect(decode({ l: 2, c: 's', n: 1, v: ['Ann', 7] })).toThrow(UnrecoverableError);
    expect(decode(null)).toThrow(UnrecoverableError);
    expect(decode(encodeSendJob(job(), VARIABLES), 'not-a-number')).toThrow('job id not-a-number is not an E.164');
    expect(() => decodeSendJob(encodeSendJob(job(), VARIABLES), undefined, VARIABLES)).toThrow(UnrecoverableError);
  });
});
