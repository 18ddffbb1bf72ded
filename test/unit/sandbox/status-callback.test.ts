import { describe, expect, it } from '@jest/globals';
import twilio from 'twilio';
import { buildCallbackParams, signCallback } from '../../../src/sandbox/status-callback.js';
import { makeMessageFacts } from '../../fixtures/sandbox/message-facts.js';

const TOKEN = 'callback-token-1234';
const URL = 'https://hooks.example.com/status?campaign=7';

describe('buildCallbackParams', () => {
  const facts = makeMessageFacts({ from: '+14155550100', to: '+14155550199' });

  it('reports a status with Twilio’s fields and no ErrorCode', () => {
    expect(buildCallbackParams(facts, { status: 'delivered', at: 0 })).toEqual({
      MessageSid: facts.sid,
      SmsSid: facts.sid,
      AccountSid: facts.accountSid,
      From: '+14155550100',
      To: '+14155550199',
      MessageStatus: 'delivered',
      SmsStatus: 'delivered',
      ApiVersion: '2010-04-01',
    });
  });

  it('adds ErrorCode to undelivered', () => {
    expect(buildCallbackParams(facts, { status: 'undelivered', errorCode: 30007, at: 0 })).toMatchObject({
      MessageStatus: 'undelivered',
      ErrorCode: '30007',
    });
  });

  it('names the Messaging Service, and no From when none was picked', () => {
    const mg = `MG${'c'.repeat(32)}`;
    const params = buildCallbackParams(makeMessageFacts({ from: undefined, messagingServiceSid: mg }), {
      status: 'sent',
      at: 0,
    });
    expect(params).toMatchObject({ MessagingServiceSid: mg, MessageStatus: 'sent' });
    expect(params).not.toHaveProperty('From');
  });
});

describe('signCallback', () => {
  it('matches Twilio’s published example signature', () => {
    // https://www.twilio.com/docs/usage/webhooks/webhooks-security.
    const params = {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+12349013030',
      Digits: '1234',
      From: '+12349013030',
      To: '+18005551212',
    };
    expect(signCallback('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params)).toBe(
      '0/KCTR6DLpKmkAf8muzZqo1nDgQ=',
    );
  });

  it('is accepted by the SDK’s validateRequest, and only for the same token, URL and params', () => {
    const params = buildCallbackParams(makeMessageFacts(), { status: 'sent', at: 0 });
    const signature = signCallback(TOKEN, URL, params);
    expect(twilio.validateRequest(TOKEN, signature, URL, params)).toBe(true);
    expect(twilio.validateRequest('other-token', signature, URL, params)).toBe(false);
    expect(twilio.validateRequest(TOKEN, signature, `${URL}&x=1`, params)).toBe(false);
    expect(twilio.validateRequest(TOKEN, signature, URL, { ...params, MessageStatus: 'delivered' })).toBe(false);
  });
});
