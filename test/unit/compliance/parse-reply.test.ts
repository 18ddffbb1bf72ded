import { describe, expect, it } from '@jest/globals';

import { parseReply } from '../../../src/compliance/parse-reply.js';
import { decodeOptOut, describeOptOut, encodeOptOut } from '../../../src/compliance/opt-out-record.js';

const SID = `SM${'a'.repeat(32)}`;

describe('parseReply', () => {
  it('reads an SMS reply and its intent', () => {
    const parsed = parseReply({
      MessageSid: SID,
      From: '+12145550100',
      To: '+14155550100',
      Body: 'Stop please',
    });
    expect(parsed).toEqual({
      ok: true,
      reply: {
        sid: SID,
        from: '+12145550100',
        whatsapp: false,
        to: '+14155550100',
        messagingServiceSid: undefined,
        body: 'Stop please',
        intent: 'opt-out',
      },
    });
  });

  it("reads a WhatsApp message and takes Twilio's OptOutType", () => {
    const parsed = parseReply({
      MessageSid: SID,
      From: 'whatsapp:+12145550100',
      To: 'whatsapp:+14155238886',
      Body: 'arrêt',
      OptOutType: 'STOP',
      MessagingServiceSid: `MG${'b'.repeat(32)}`,
    });
    expect(parsed).toMatchObject({ ok: true, reply: { from: '+12145550100', whatsapp: true, intent: 'opt-out' } });
  });

  it.each([
    [{ From: '+12145550100', To: '+1', Body: 'x' }, 'MessageSid is missing or malformed'],
    [{ MessageSid: SID, From: 'someone', To: '+1', Body: 'x' }, 'From is not an E.164 number'],
    [{ MessageSid: SID, From: '+12145550100', Body: 'x' }, 'To is missing'],
  ])('refuses %j', (form, reason) => {
    expect(parseReply(form)).toEqual({ ok: false, reason });
  });
});

describe('opt-out records', () => {
  const at = Date.UTC(2026, 11, 1, 15, 4);

  it('round-trip and read as an audit line', () => {
    const record = { at, source: 'reply', text: 'Stop please', sender: '+14155550100' } as const;
    expect(decodeOptOut(encodeOptOut(record))).toEqual(record);
    expect(describeOptOut(record)).toBe('opted out on 2026-12-01 by replying "Stop please" to +14155550100');
    expect(describeOptOut({ at, source: 'twilio-21610', sender: '+14155550100' })).toBe(
      'opted out on 2026-12-01: Twilio refused a send from +14155550100 with 21610 (replied STOP to it)',
    );
    expect(describeOptOut({ at, source: 'import', note: 'old-crm.csv' })).toBe(
      'opted out on 2026-12-01 by import (old-crm.csv)',
    );
  });

  it('keep a long reply short and refuse what herald did not write', () => {
    const long = decodeOptOut(encodeOptOut({ at, source: 'reply', text: 'x'.repeat(1000) }));
    expect(long?.text).toHaveLength(160);
    expect(decodeOptOut('1')).toBeUndefined();
    expect(decodeOptOut('{"at":1,"source":"carrier-pigeon"}')).toBeUndefined();
    expect(decodeOptOut('not json')).toBeUndefined();
  });
});
