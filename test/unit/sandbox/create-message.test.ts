import { describe, expect, it } from '@jest/globals';
import { createMessage, type CreateContext } from '../../../src/sandbox/create-message.js';
import type { FormParams } from '../../../src/sandbox/form.js';

const context: CreateContext = {
  accountSid: `AC${'1'.repeat(32)}`,
  now: new Date(Date.UTC(2024, 4, 1, 10, 0, 0)),
  makeHex32: () => 'f'.repeat(32),
};
const FROM = '+14155550100';
const TO = '+14155550199';

function facts(params: FormParams) {
  const outcome = createMessage(params, context);
  if (!outcome.ok) throw new Error(`refused with ${outcome.error.code}`);
  return outcome.facts;
}

describe('createMessage', () => {
  it('counts SMS segments: 160 GSM-7 characters are one, 161 are two', () => {
    expect(facts({ To: TO, From: FROM, Body: 'a'.repeat(160) }).numSegments).toBe(1);
    expect(facts({ To: TO, From: FROM, Body: 'a'.repeat(161) }).numSegments).toBe(2);
  });

  it('counts a UCS-2 body in 70-unit segments', () => {
    expect(facts({ To: TO, From: FROM, Body: 'ж'.repeat(70) }).numSegments).toBe(1);
    expect(facts({ To: TO, From: FROM, Body: 'ж'.repeat(71) }).numSegments).toBe(2);
  });

  it('makes an MMS (MM sid, one segment) when media is attached', () => {
    const mediaUrls = ['https://e.x/1.png', 'https://e.x/2.png'];
    const mms = facts({ To: TO, From: FROM, Body: 'a'.repeat(400), MediaUrl: mediaUrls });
    expect(mms.sid).toBe(`MM${'f'.repeat(32)}`);
    expect(mms.mediaUrls).toEqual(mediaUrls);
    expect(mms.numSegments).toBe(1);
  });

  it('treats SendAsMms without media as an MMS', () => {
    expect(facts({ To: TO, From: FROM, Body: 'hi', SendAsMms: 'true' })).toMatchObject({
      mediaUrls: [],
      numSegments: 1,
    });
    expect(facts({ To: TO, From: FROM, Body: 'hi', SendAsMms: 'true' }).sid.startsWith('MM')).toBe(true);
  });

  it('counts a long WhatsApp message as one', () => {
    const whatsapp = facts({ To: `whatsapp:${TO}`, From: `whatsapp:${FROM}`, Body: 'a'.repeat(500) });
    expect(whatsapp).toMatchObject({ sid: `SM${'f'.repeat(32)}`, numSegments: 1, to: `whatsapp:${TO}` });
  });

  it('uses an empty body for a template send and keeps the context time', () => {
    const template = facts({ To: `whatsapp:${TO}`, From: `whatsapp:${FROM}`, ContentSid: `HX${'2'.repeat(32)}` });
    expect(template).toMatchObject({ body: '', createdAt: context.now, accountSid: context.accountSid });
  });

  it('refuses magic numbers after validation passes', () => {
    expect(createMessage({ To: '+15005550004', From: FROM, Body: 'hi' }, context)).toMatchObject({
      ok: false,
      error: { code: 21610, status: 400 },
    });
    // An invalid request is reported as invalid even to a magic number.
    const invalid = createMessage({ To: '+15005550004', From: FROM }, context);
    expect(invalid).toMatchObject({ ok: false, error: { code: 21602 } });
  });
});
