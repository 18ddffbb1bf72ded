import { describe, expect, it } from '@jest/globals';
import { RequestLog, type SandboxRequest } from '../../../src/sandbox/request-log.js';

const entry = (index: number): SandboxRequest => ({
  receivedAt: 1_700_000_000_000 + index + 0.25,
  accountSid: `AC${'7'.repeat(32)}`,
  params: { To: `+1555${index}`, MediaUrl: ['https://e.x/a.png'] },
  status: index % 2 === 0 ? 201 : 400,
  ...(index % 2 === 0 ? { sid: `SM${String(index).padStart(32, '0')}` } : { errorCode: 21211 }),
});

describe('RequestLog', () => {
  it('hands out copies that later records do not change', () => {
    const log = new RequestLog();
    log.record(entry(0));
    const snapshot = log.snapshot();
    log.record(entry(1));
    expect(snapshot).toHaveLength(1);
    expect(log.snapshot()).toHaveLength(2);
    log.clear();
    expect(log.snapshot()).toEqual([]);
  });
});
