import { describe, expect, it } from '@jest/globals';
import {
  buildMessageResource,
  formatRfc2822,
  makeMessageSid,
  type MessageFacts,
} from '../../../src/sandbox/message-resource.js';
import type { DeliveryEvent } from '../../../src/sandbox/delivery-plan.js';
import { listSchemaViolations, MESSAGE_PROPERTY_NAMES } from '../../fixtures/sandbox/message-schema.js';

const ACCOUNT = `AC${'0'.repeat(32)}`;
const HEX = '0123456789abcdef0123456789abcdef';

const CREATED = Date.UTC(2023, 7, 24, 5, 1, 45, 678);
const facts = (overrides: Partial<MessageFacts> = {}): MessageFacts => ({
  accountSid: ACCOUNT,
  sid: `SM${HEX}`,
  to: '+14155550199',
  from: '+14155550100',
  messagingServiceSid: undefined,
  body: 'Hello! 👍',
  mediaUrls: [],
  numSegments: 1,
  createdAt: new Date(CREATED),
  ...overrides,
});

describe('formatRfc2822', () => {
  it.each([
    [Date.UTC(2023, 7, 24, 5, 1, 45), 'Thu, 24 Aug 2023 05:01:45 +0000'],
    [Date.UTC(2024, 0, 1, 0, 0, 0), 'Mon, 01 Jan 2024 00:00:00 +0000'],
    [Date.UTC(2024, 1, 29, 23, 59, 59, 999), 'Thu, 29 Feb 2024 23:59:59 +0000'],
    [Date.UTC(2025, 11, 7, 9, 5, 3), 'Sun, 07 Dec 2025 09:05:03 +0000'],
  ])('formats %i as %s', (ms, text) => {
    expect(formatRfc2822(new Date(ms))).toBe(text);
  });

  it('round-trips through Date.parse to the second', () => {
    const date = new Date(Date.UTC(2030, 5, 15, 12, 34, 56));
    expect(Date.parse(formatRfc2822(date))).toBe(date.getTime());
  });
});

describe('makeMessageSid', () => {
  it('prefixes SM without media and MM with', () => {
    expect(makeMessageSid(false, HEX)).toBe(`SM${HEX}`);
    expect(makeMessageSid(true, HEX)).toBe(`MM${HEX}`);
  });
});

describe('buildMessageResource', () => {
  it('has exactly the properties of Twilio’s Message schema, each of the right type', () => {
    const resource = buildMessageResource(facts(), CREATED);
    expect(Object.keys(resource).sort()).toEqual(MESSAGE_PROPERTY_NAMES);
    expect(listSchemaViolations({ ...resource })).toEqual([]);
  });

  it('matches Twilio’s example for a direct send, with no date_sent while queued', () => {
    expect(buildMessageResource(facts(), CREATED)).toEqual({
      account_sid: ACCOUNT,
      api_version: '2010-04-01',
      body: 'Hello! 👍',
      date_created: 'Thu, 24 Aug 2023 05:01:45 +0000',
      date_sent: null,
      date_updated: 'Thu, 24 Aug 2023 05:01:45 +0000',
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: '+14155550100',
      messaging_service_sid: null,
      num_media: '0',
      num_segments: '1',
      price: null,
      price_unit: null,
      sid: `SM${HEX}`,
      status: 'queued',
      subresource_uris: { media: `/2010-04-01/Accounts/${ACCOUNT}/Messages/SM${HEX}/Media.json` },
      to: '+14155550199',
      uri: `/2010-04-01/Accounts/${ACCOUNT}/Messages/SM${HEX}.json`,
    });
  });

  it('answers accepted, from null and zero segments through a Messaging Service with no From', () => {
    const mg = `MG${HEX}`;
    const resource = buildMessageResource(facts({ from: undefined, messagingServiceSid: mg, numSegments: 2 }), CREATED);
    expect(resource).toMatchObject({ status: 'accepted', from: null, messaging_service_sid: mg, num_segments: '0' });
    expect(listSchemaViolations({ ...resource })).toEqual([]);
  });

  it('keeps the segment count when a Messaging Service send names its From', () => {
    const resource = buildMessageResource(facts({ messagingServiceSid: `MG${HEX}`, numSegments: 3 }), CREATED);
    expect(resource).toMatchObject({ status: 'accepted', from: '+14155550100', num_segments: '3' });
  });

  describe('with simulated delivery', () => {
    const delivery: DeliveryEvent[] = [
      { status: 'sent', at: CREATED + 1000 },
      { status: 'undelivered', errorCode: 30006, at: CREATED + 61_000 },
    ];

    const SENT = 'Thu, 24 Aug 2023 05:01:46 +0000';
    it.each([
      ['before sent', CREATED + 999, 'queued', null, null, 'Thu, 24 Aug 2023 05:01:45 +0000', null],
      ['once sent', CREATED + 1000, 'sent', null, null, SENT, SENT],
      [
        'once undelivered',
        CREATED + 61_000,
        'undelivered',
        30006,
        'Landline or unreachable carrier',
        'Thu, 24 Aug 2023 05:02:46 +0000',
        SENT,
      ],
    ])('shows the status reached %s', (_when, now, status, errorCode, errorMessage, updated, sent) => {
      const resource = buildMessageResource(facts({ delivery }), now);
      expect(resource).toMatchObject({
        status,
        error_code: errorCode,
        error_message: errorMessage,
        date_updated: updated,
        date_sent: sent,
      });
      expect(listSchemaViolations({ ...resource })).toEqual([]);
    });

    it('answers the create call as created: queued, no date_sent, whatever the delivery plan', () => {
      const immediate: DeliveryEvent[] = [{ status: 'sent', at: CREATED }];
      expect(buildMessageResource(facts({ delivery: immediate }), 'created')).toMatchObject({
        status: 'queued',
        date_sent: null,
        date_updated: 'Thu, 24 Aug 2023 05:01:45 +0000',
      });
      expect(buildMessageResource(facts({ delivery: immediate }), CREATED)).toMatchObject({ status: 'sent' });
    });

    it('never moves back when a callback comes out of order', () => {
      const outOfOrder: DeliveryEvent[] = [
        { status: 'delivered', at: CREATED + 1000 },
        { status: 'sent', at: CREATED + 2000 },
      ];
      const resource = buildMessageResource(facts({ delivery: outOfOrder }), CREATED + 5000);
      expect(resource.status).toBe('delivered');
      // It left when its first status was reached, whichever that was.
      expect(resource.date_sent).toBe('Thu, 24 Aug 2023 05:01:46 +0000');
    });
  });
});
