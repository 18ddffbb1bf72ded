import { describe, expect, it } from '@jest/globals';

import type { CampaignName } from '../../../src/domain/campaign.js';
import { campaignOfPath, statusCallbackUrl } from '../../../src/receipts/callback-url.js';
import { parseStatusCallback } from '../../../src/receipts/parse-callback.js';
import { statusStep } from '../../../src/receipts/status-order.js';

const campaign = 'spring-1' as CampaignName;
const SID = `SM${'ab'.repeat(16)}`;

describe('parseStatusCallback', () => {
  it('reads an SMS delivered callback', () => {
    const parsed = parseStatusCallback(campaign, { MessageSid: SID, MessageStatus: 'delivered', To: '+14155550101' });
    expect(parsed).toEqual({
      ok: true,
      receipt: {
        campaign,
        to: '+14155550101',
        sid: SID,
        status: 'delivered',
        step: statusStep('delivered'),
        code: 'none',
        channel: 'sms',
      },
    });
  });

  it('tells WhatsApp by the address prefix and MMS by the MM SID, and keeps the error code', () => {
    const whatsapp = parseStatusCallback(campaign, {
      MessageSid: SID,
      MessageStatus: 'undelivered',
      To: 'whatsapp:+14155550101',
      ErrorCode: '63016',
    });
    expect(whatsapp.ok && whatsapp.receipt).toMatchObject({ channel: 'whatsapp', to: '+14155550101', code: '63016' });
    const mms = parseStatusCallback(campaign, {
      MessageSid: `MM${'cd'.repeat(16)}`,
      MessageStatus: 'sent',
      To: '+14155550101',
    });
    expect(mms.ok && mms.receipt.channel).toBe('mms');
  });

  it('acknowledges statuses herald does not track without recording them', () => {
    expect(
      parseStatusCallback(campaign, { MessageSid: SID, MessageStatus: 'received', To: '+14155550101' }),
    ).toMatchObject({
      ok: false,
      ignore: true,
    });
  });

  it.each([
    [{ MessageStatus: 'sent', To: '+14155550101' }, 'MessageSid'],
    [{ MessageSid: SID, To: '+14155550101' }, 'MessageStatus'],
    [{ MessageSid: SID, MessageStatus: 'sent', To: 'nobody' }, 'E.164'],
  ])('refuses a malformed callback %#', (form, problem) => {
    const parsed = parseStatusCallback(campaign, form);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && !parsed.ignore && parsed.reason).toContain(problem);
  });

  it('keeps error code labels bounded', () => {
    const parsed = parseStatusCallback(campaign, {
      MessageSid: SID,
      MessageStatus: 'failed',
      To: '+14155550101',
      ErrorCode: 'x'.repeat(40),
    });
    expect(parsed.ok && parsed.receipt.code).toBe('other');
  });
});

describe('status order', () => {
  it('ranks the outbound lifecycle so that only later statuses move a recipient', () => {
    const rank = (status: string) => statusStep(status)?.rank;
    expect(rank('queued')).toBeLessThan(rank('sent')!);
    expect(rank('sent')).toBeLessThan(rank('delivered')!);
    expect(rank('delivered')).toBe(rank('undelivered'));
    expect(rank('read')).toBeGreaterThan(rank('delivered')!);
    expect(statusStep('undelivered')?.closed).toBe(true);
    expect(statusStep('delivered')?.closed).toBe(false);
    expect(statusStep('toString')).toBeUndefined();
  });
});

describe('callback URL', () => {
  it('follows the campaign with a fixed segment, and finds it again behind any path prefix', () => {
    expect(statusCallbackUrl('https://herald.example.com/', campaign)).toBe(
      'https://herald.example.com/twilio/campaigns/spring-1/status',
    );
    expect(campaignOfPath('/twilio/campaigns/spring-1/status')).toBe('spring-1');
    expect(campaignOfPath('/herald/twilio/campaigns/spring-1/status')).toBe('spring-1');
    expect(campaignOfPath('/twilio/campaigns//status')).toBeUndefined();
    expect(campaignOfPath('/twilio/campaigns/a/b/status')).toBeUndefined();
    expect(campaignOfPath('/twilio/campaigns/spring-1/status/')).toBeUndefined();
    expect(campaignOfPath('/twilio/status/spring-1')).toBeUndefined();
    expect(campaignOfPath('/metrics')).toBeUndefined();
  });

  it('keeps the public URL’s query string at the end', () => {
    expect(statusCallbackUrl('https://gw.example.com/hooks/?tenant=7&x=a%2Fb', campaign)).toBe(
      'https://gw.example.com/hooks/twilio/campaigns/spring-1/status?tenant=7&x=a%2Fb',
    );
  });

  it('gives two campaigns URLs neither of which, followed by parameters, can spell the other’s', () => {
    // Twilio signs url + name1 + value1 + …: a URL that is a prefix of another campaign's URL would let that
    // campaign's callbacks be re-posted here with the rest slid into a parameter name.
    const names = ['promo', 'promo-2', 'promo.2', 'promoA', 'p', 'promo_', '2'] as CampaignName[];
    for (const a of names) {
      for (const b of names) {
        if (a === b) continue;
        const [ua, ub] = [statusCallbackUrl('https://h.example.com', a), statusCallbackUrl('https://h.example.com', b)];
        expect({ a, b, prefix: ub.startsWith(ua) }).toEqual({ a, b, prefix: false });
      }
    }
  });
});
