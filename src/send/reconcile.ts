import type { MessageListInstanceCreateOptions } from 'twilio/lib/rest/api/v2010/account/message.js';

import { describeError } from '../observe/logger.js';
import { decideReconciliation, type Lookup, type Reconciliation } from './match-sent-message.js';
import type { TwilioClient } from './twilio-client.js';

/**
 * Newest messages to the recipient (from the sender) read per lookup. A campaign texts a recipient once, so the
 * attempt's message, if it exists, is among the few newest unless the number received this many others since.
 */
export const LOOKUP_LIMIT = 50;

/**
 * Asks Twilio, through the Messages list API, whether an attempt whose answer was lost created its message: the
 * recipient's newest messages from the sender (To and From filters), matched by body and creation time in
 * match-sent-message.ts. The time window is applied to `date_created` here rather than sent as `DateSent`, because
 * Twilio sets `date_sent` only once a message leaves its queue, and a message still queued at Twilio exists all the
 * same.
 */
export async function reconcileAttempt(
  client: TwilioClient,
  params: MessageListInstanceCreateOptions,
  attemptStartedAt: number,
): Promise<Reconciliation> {
  const expected = {
    to: params.to,
    ...(params.from === undefined ? {} : { from: params.from }),
    ...(params.messagingServiceSid === undefined ? {} : { messagingServiceSid: params.messagingServiceSid }),
    ...(params.body === undefined || params.contentSid !== undefined ? {} : { body: params.body }),
    attemptStartedAt,
  };
  let lookup: Lookup;
  try {
    const messages = await client.messages.list({
      to: params.to,
      ...(params.from === undefined ? {} : { from: params.from }),
      limit: LOOKUP_LIMIT,
      pageSize: LOOKUP_LIMIT,
    });
    lookup = {
      ok: true,
      messages: messages.map((message) => ({
        sid: message.sid,
        to: message.to,
        from: message.from,
        messagingServiceSid: message.messagingServiceSid,
        body: message.body,
        dateCreated: message.dateCreated,
      })),
    };
  } catch (error) {
    lookup = { ok: false, reason: describeError(error).message };
  }
  return decideReconciliation(expected, lookup);
}
