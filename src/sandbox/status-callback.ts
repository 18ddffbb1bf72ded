import twilio from 'twilio';

import type { DeliveryEvent } from './delivery-plan.js';
import { API_VERSION, type MessageFacts } from './message-resource.js';

/** One status callback as sent, for `GET /sandbox/callbacks`. */
export interface CallbackRecord {
  messageSid: string;
  url: string;
  params: Record<string, string>;
  /** The X-Twilio-Signature header sent. */
  signature: string;
  /** The receiver's HTTP status, or null when it could not be reached on either attempt. */
  status: number | null;
  /** Why it could not be reached, when status is null. */
  error?: string;
  attempts: 1 | 2;
  /** When the first attempt started, ms since the epoch. */
  sentAt: number;
}

/**
 * The form Twilio posts for a status change
 * (https://www.twilio.com/docs/messaging/guides/track-outbound-message-status): the message's identifiers and
 * addresses, the new status, the deprecated Sms* duplicates, and ErrorCode only for a failure. A message sent through a
 * Messaging Service without From has no sender picked in the sandbox, so it has no From.
 */
export function buildCallbackParams(facts: MessageFacts, event: DeliveryEvent): Record<string, string> {
  return {
    MessageSid: facts.sid,
    SmsSid: facts.sid,
    AccountSid: facts.accountSid,
    ...(facts.from === undefined ? {} : { From: facts.from }),
    To: facts.to,
    ...(facts.messagingServiceSid === undefined ? {} : { MessagingServiceSid: facts.messagingServiceSid }),
    MessageStatus: event.status,
    SmsStatus: event.status,
    ApiVersion: API_VERSION,
    ...(event.status === 'undelivered' ? { ErrorCode: String(event.errorCode) } : {}),
  };
}

/** X-Twilio-Signature by the SDK's own function, so that herald's validation is checked against Twilio's rules. */
export function signCallback(authToken: string, url: string, params: Record<string, string>): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}
