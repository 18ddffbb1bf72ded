import { describe, expect, it } from '@jest/globals';

import type { MessageContent } from '../../../src/domain/channel.js';
import type { E164 } from '../../../src/domain/e164.js';
import type { Sender } from '../../../src/domain/sender.js';
import { buildCreateParams } from '../../../src/send/build-create-params.js';

const TO = '+14155550123' as E164;
const LONG_CODE: Sender = { kind: 'long-code', number: '+14155550100' as E164 };
const WHATSAPP: Sender = { kind: 'whatsapp', number: '+14155238886' as E164 };
const SERVICE: Sender = { kind: 'messaging-service', sid: `MG${'a'.repeat(32)}` };
const SHORT_CODE: Sender = { kind: 'short-code', code: '12345' };
const GSM = { encoding: 'GSM-7', segments: 1, ucs2Chars: [] } as const;

describe('buildCreateParams', () => {
  it.each<[string, Sender, MessageContent, Record<string, unknown>]>([
    [
      'SMS from a long code',
      LONG_CODE,
      { channel: 'sms', body: 'Hi', segments: GSM },
      { to: TO, from: '+14155550100', body: 'Hi' },
    ],
    [
      'SMS from a short code',
      SHORT_CODE,
      { channel: 'sms', body: 'Hi', segments: GSM },
      { to: TO, from: '12345', body: 'Hi' },
    ],
    [
      'SMS through a Messaging Service: MessagingServiceSid, no From',
      SERVICE,
      { channel: 'sms', body: 'Hi', segments: GSM },
      { to: TO, messagingServiceSid: SERVICE.kind === 'messaging-service' ? SERVICE.sid : '', body: 'Hi' },
    ],
    [
      'MMS with a body',
      LONG_CODE,
      { channel: 'mms', body: 'Look', mediaUrls: ['https://a/1.png', 'https://a/2.png'] },
      { to: TO, from: '+14155550100', body: 'Look', mediaUrl: ['https://a/1.png', 'https://a/2.png'] },
    ],
    [
      'MMS without a body sends no Body',
      LONG_CODE,
      { channel: 'mms', mediaUrls: ['https://a/1.png'] },
      { to: TO, from: '+14155550100', mediaUrl: ['https://a/1.png'] },
    ],
    [
      'WhatsApp session message: whatsapp: on both sides',
      WHATSAPP,
      { channel: 'whatsapp', form: 'session', body: 'Hola', mediaUrls: ['https://a/t.pdf'] },
      { to: `whatsapp:${TO}`, from: 'whatsapp:+14155238886', body: 'Hola', mediaUrl: ['https://a/t.pdf'] },
    ],
    [
      'WhatsApp template: ContentSid and ContentVariables, no Body',
      WHATSAPP,
      { channel: 'whatsapp', form: 'template', contentSid: `HX${'b'.repeat(32)}`, contentVariables: '{"1":"Ann"}' },
      {
        to: `whatsapp:${TO}`,
        from: 'whatsapp:+14155238886',
        contentSid: `HX${'b'.repeat(32)}`,
        contentVariables: '{"1":"Ann"}',
      },
    ],
  ])('%s', (_case, sender, content, expected) => {
    expect(buildCreateParams(sender, TO, content)).toEqual(expected);
  });

  it('adds StatusCallback when one is given', () => {
    const params = buildCreateParams(LONG_CODE, TO, { channel: 'sms', body: 'Hi', segments: GSM }, 'https://hooks/x');
    expect(params.statusCallback).toBe('https://hooks/x');
  });
});
