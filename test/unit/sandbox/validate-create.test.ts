import { describe, expect, it } from '@jest/globals';
import type { FormParams } from '../../../src/sandbox/form.js';
import { validateCreateParams } from '../../../src/sandbox/validate-create.js';

const FROM = '+14155550100';
const TO = '+14155550199';
const MG = `MG${'a'.repeat(32)}`;
const HX = `HX${'b'.repeat(32)}`;
const media = (count: number): string[] =>
  Array.from({ length: count }, (_, index) => `https://example.com/${index}.png`);

describe('validateCreateParams', () => {
  const refused: Array<[string, FormParams, number]> = [
    ['no To', { From: FROM, Body: 'hi' }, 21604],
    ['empty To', { To: '', From: FROM, Body: 'hi' }, 21604],
    ['neither From nor MessagingServiceSid', { To: TO, Body: 'hi' }, 21603],
    ['malformed MessagingServiceSid', { To: TO, MessagingServiceSid: 'MG123', Body: 'hi' }, 21705],
    ['To without +', { To: '14155550199', From: FROM, Body: 'hi' }, 21211],
    ['To with a leading zero country code', { To: '+0415555', From: FROM, Body: 'hi' }, 21211],
    ['To longer than 15 digits', { To: '+1234567890123456', From: FROM, Body: 'hi' }, 21211],
    ['To as a short code', { To: '12345', From: FROM, Body: 'hi' }, 21211],
    ['From not a number, short code or sender ID', { To: TO, From: '+1 415 555', Body: 'hi' }, 21212],
    ['From sender ID over 11 characters', { To: TO, From: 'HeraldAlerts1', Body: 'hi' }, 21212],
    ['whatsapp From with a bad number', { To: `whatsapp:${TO}`, From: 'whatsapp:HERALD', Body: 'hi' }, 21212],
    ['whatsapp To, SMS From', { To: `whatsapp:${TO}`, From: FROM, Body: 'hi' }, 21910],
    ['SMS To, whatsapp From', { To: TO, From: `whatsapp:${FROM}`, Body: 'hi' }, 21910],
    ['malformed ContentSid', { To: TO, From: FROM, ContentSid: 'HX12' }, 21655],
    ['ContentVariables without ContentSid', { To: TO, From: FROM, Body: 'hi', ContentVariables: '{"1":"a"}' }, 21654],
    ['ContentVariables not a JSON object', { To: TO, From: FROM, ContentSid: HX, ContentVariables: '[1]' }, 21656],
    ['no content', { To: TO, From: FROM }, 21602],
    ['no content with a Messaging Service', { To: TO, MessagingServiceSid: MG }, 21619],
    ['eleven media', { To: TO, From: FROM, MediaUrl: media(11) }, 21623],
    ['ftp media', { To: TO, From: FROM, MediaUrl: ['ftp://example.com/a.png'] }, 21620],
    ['media not a URL', { To: TO, From: FROM, MediaUrl: ['cat.png'] }, 21620],
    ['body of 1601', { To: TO, From: FROM, Body: 'a'.repeat(1601) }, 21617],
    ['body of 801 emoji (1602 UTF-16 units)', { To: TO, From: FROM, Body: '😀'.repeat(801) }, 21617],
    ['StatusCallback host with _', { To: TO, From: FROM, Body: 'hi', StatusCallback: 'https://a_b.example/cb' }, 21609],
    ['StatusCallback not http', { To: TO, From: FROM, Body: 'hi', StatusCallback: 'mailto:a@example.com' }, 21609],
  ];

  it.each(refused)('refuses %s with %i', (_name, params, code) => {
    const result = validateCreateParams(params);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(code);
    expect(result.error.status).toBe(400);
    expect(result.error.message.length).toBeGreaterThan(0);
  });

  const accepted: Array<[string, FormParams]> = [
    ['SMS', { To: TO, From: FROM, Body: 'hi' }],
    ['short code sender', { To: TO, From: '12345', Body: 'hi' }],
    ['alphanumeric sender', { To: '+447911123456', From: 'Herald 1', Body: 'hi' }],
    ['Messaging Service without From', { To: TO, MessagingServiceSid: MG, Body: 'hi' }],
    ['WhatsApp both sides', { To: `whatsapp:${TO}`, From: `whatsapp:${FROM}`, Body: 'hi' }],
    ['WhatsApp To through a Messaging Service', { To: `whatsapp:${TO}`, MessagingServiceSid: MG, Body: 'hi' }],
    [
      'WhatsApp template',
      { To: `whatsapp:${TO}`, From: `whatsapp:${FROM}`, ContentSid: HX, ContentVariables: '{"1":"Ann"}' },
    ],
    ['ten media and no body', { To: TO, From: FROM, MediaUrl: media(10) }],
    ['body of exactly 1600', { To: TO, From: FROM, Body: 'a'.repeat(1600) }],
    ['valid StatusCallback', { To: TO, From: FROM, Body: 'hi', StatusCallback: 'https://hooks.example.com/s?x=1' }],
  ];

  it.each(accepted)('accepts %s', (_name, params) => {
    expect(validateCreateParams(params)).toMatchObject({ ok: true });
  });

  it('reports a missing To before anything else', () => {
    const result = validateCreateParams({ Body: 'a'.repeat(2000), MediaUrl: media(20) });
    expect(result.ok ? undefined : result.error.code).toBe(21604);
  });

  it('returns the parameters it validated', () => {
    const result = validateCreateParams({ To: TO, MessagingServiceSid: MG, MediaUrl: media(2), SendAsMms: 'true' });
    expect(result).toEqual({
      ok: true,
      create: {
        to: TO,
        from: undefined,
        messagingServiceSid: MG,
        body: undefined,
        mediaUrls: media(2),
        contentSid: undefined,
        sendAsMms: true,
      },
    });
  });
});
