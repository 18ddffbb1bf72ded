import { describe, expect, it } from '@jest/globals';
import { parseSandboxFlags, type SandboxFlags } from '../../../src/sandbox/sandbox-flags.js';

const BASE: SandboxFlags = { port: '4010', host: '127.0.0.1', latencyMs: '0', mps: [] };
const flags = (overrides: Partial<SandboxFlags>): SandboxFlags => ({ ...BASE, ...overrides });

describe('parseSandboxFlags', () => {
  it('leaves every feature off by default', () => {
    expect(parseSandboxFlags(BASE)).toEqual({
      ok: true,
      options: { host: '127.0.0.1', port: 4010, tls: false, latencyMs: 0 },
    });
  });

  it.each<[string, Partial<SandboxFlags>, object]>([
    [
      'faults, seeded',
      { fault429: '0.05', fault500: '0.01', fault503: '0.01', faultDrop: '0.005', retryAfter: '2', seed: '7' },
      { faults: { rate429: 0.05, rate500: 0.01, rate503: 0.01, acceptThenDrop: 0.005, retryAfterSeconds: 2, seed: 7 } },
    ],
    ['a daily cap', { dailyCap: '500' }, { faults: { dailyCap: 500 } }],
    ['sender queues', { senderQueues: true }, { senderQueues: {} }],
    [
      '--mps and --max-queue-hours, which imply sender queues',
      { mps: ['+14155550100=10', 'whatsapp:+14155550101=80', 'MGx=2.5'], maxQueueHours: '0.5' },
      {
        senderQueues: {
          maxQueueHours: 0.5,
          mps: { '+14155550100': 10, 'whatsapp:+14155550101': 80, MGx: 2.5 },
        },
      },
    ],
    ['callbacks', { callbacks: true }, { callbacks: {} }],
    [
      'recipients who reply, seeded',
      { replyUrl: 'http://127.0.0.1:9464/twilio/incoming', replyShare: '0.1', replyMix: 'stop=1, text=3', seed: '5' },
      {
        faults: { seed: 5 },
        recipients: {
          replyUrl: 'http://127.0.0.1:9464/twilio/incoming',
          replyShare: 0.1,
          replyMix: { stop: 1, text: 3 },
          seed: 5,
        },
      },
    ],
    ['WhatsApp sessions', { whatsappSessions: true }, { recipients: { whatsappSessions: true } }],
    [
      'callback knobs, which imply callbacks, seeded',
      {
        undelivered: '0.1',
        read: '0.5',
        duplicates: '0.02',
        outOfOrder: '0.01',
        sentDelayMs: '10-50',
        deliveredDelayMs: '200',
        seed: '3',
      },
      {
        faults: { seed: 3 },
        callbacks: {
          undeliveredShare: 0.1,
          readShare: 0.5,
          duplicateShare: 0.02,
          outOfOrderShare: 0.01,
          sentDelayMs: { min: 10, max: 50 },
          deliveredDelayMs: { min: 200, max: 200 },
          seed: 3,
        },
      },
    ],
    ['port, TLS and latency', { port: '0', tls: true, latencyMs: '250' }, { port: 0, tls: true, latencyMs: 250 }],
  ])('reads %s', (_name, given, expected) => {
    const parsed = parseSandboxFlags(flags(given));
    expect(parsed).toEqual({
      ok: true,
      options: { host: '127.0.0.1', port: 4010, tls: false, latencyMs: 0, ...expected },
    });
  });

  it.each<[Partial<SandboxFlags>, string]>([
    [{ fault429: 'abc' }, '--fault-429 must be a share from 0 to 1 (got "abc")'],
    [{ fault500: '1.5' }, '--fault-500 must be a share from 0 to 1 (got "1.5")'],
    [{ fault503: '' }, '--fault-503 must be a share from 0 to 1 (got "")'],
    [{ faultDrop: '-0.1' }, '--fault-drop must be a share from 0 to 1 (got "-0.1")'],
    [{ fault429: '0.6', fault500: '0.5' }, '--fault-429 + --fault-500 + --fault-503 must be at most 1'],
    [{ dailyCap: '0' }, '--daily-cap must be a whole number from 1 to 1000000000 (got "0")'],
    [{ dailyCap: '1e3' }, '--daily-cap must be a whole number from 1 to 1000000000 (got "1e3")'],
    [{ retryAfter: '1.5' }, '--retry-after must be whole seconds from 0 to 86400 (got "1.5")'],
    [{ seed: '0x10' }, '--seed must be a whole number from 0 to 4294967295 (got "0x10")'],
    [{ maxQueueHours: '0' }, '--max-queue-hours must be hours above 0, at most 24 (got "0")'],
    [{ mps: ['+14155550100'] }, '--mps must look like +14155550100=10 (got "+14155550100")'],
    [{ mps: ['=5'] }, '--mps must look like +14155550100=10 (got "=5")'],
    [{ mps: ['+14155550100=fast'] }, '--mps must be messages per second above 0, at most 100000 (got "fast")'],
    [{ undelivered: '2' }, '--undelivered must be a share from 0 to 1 (got "2")'],
    [{ sentDelayMs: '50-10' }, '--sent-delay-ms must have MIN no larger than MAX (got "50-10")'],
    [{ deliveredDelayMs: '1-2-3' }, '--delivered-delay-ms must be MS or MIN-MAX in milliseconds (got "1-2-3")'],
    [{ port: '70000' }, '--port must be a port from 0 to 65535 (got "70000")'],
    [{ latencyMs: 'slow' }, '--latency-ms must be whole milliseconds from 0 to 600000 (got "slow")'],
    [{ replyShare: '0.2' }, "--reply-share needs --reply-url (where recipients' replies are posted)"],
    [{ replyMix: 'shout=1' }, '--reply-mix kinds are stop, stop-words, start, help, text (got "shout")'],
    [{ replyMix: 'stop=x' }, '--reply-mix must be weights from 0 to 1e6 (got "x")'],
  ])('refuses %j in one line', (given, message) => {
    expect(parseSandboxFlags(flags(given))).toEqual({ ok: false, message });
  });
});
