import type { MessageListInstanceCreateOptions } from 'twilio/lib/rest/api/v2010/account/message.js';

import type { MessageContent } from '../domain/channel.js';
import type { E164 } from '../domain/e164.js';
import { type Sender, senderAddress } from '../domain/sender.js';

/** The parameters of Twilio's create-message call for one rendered message. */
export function buildCreateParams(
  sender: Sender,
  to: E164,
  content: MessageContent,
  statusCallback?: string,
): MessageListInstanceCreateOptions {
  const params: MessageListInstanceCreateOptions = {
    to: content.channel === 'whatsapp' ? `whatsapp:${to}` : to,
    ...(sender.kind === 'messaging-service' ? { messagingServiceSid: sender.sid } : { from: senderAddress(sender) }),
    ...(statusCallback === undefined ? {} : { statusCallback }),
  };
  switch (content.channel) {
    case 'sms':
      return { ...params, body: content.body };
    case 'mms':
      return { ...params, mediaUrl: [...content.mediaUrls], ...optionalBody(content.body) };
    case 'whatsapp':
      if (content.form === 'template') {
        return {
          ...params,
          contentSid: content.contentSid,
          ...(content.contentVariables === undefined ? {} : { contentVariables: content.contentVariables }),
        };
      }
      return {
        ...params,
        ...optionalBody(content.body),
        ...(content.mediaUrls.length > 0 ? { mediaUrl: [...content.mediaUrls] } : {}),
      };
  }
}

function optionalBody(body: string | undefined): { body?: string } {
  return body === undefined || body === '' ? {} : { body };
}
