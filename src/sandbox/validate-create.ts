import { MAX_BODY_LENGTH } from '../domain/segments.js';
import { isValidRecipient, isValidSender, isWhatsApp } from './address.js';
import { type FormParams, readList, readScalar } from './form.js';
import type { TwilioErrorCode } from '../twilio-errors/twilio-errors.js';
import { makeTwilioError, type TwilioError } from './twilio-error.js';

/** A create request that passed Twilio's synchronous checks. */
export interface ValidCreate {
  to: string;
  from: string | undefined;
  messagingServiceSid: string | undefined;
  body: string | undefined;
  mediaUrls: readonly string[];
  contentSid: string | undefined;
  sendAsMms: boolean;
  statusCallback: string | undefined;
}

export type CreateValidation = { ok: true; create: ValidCreate } | { ok: false; error: TwilioError };

const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
const CONTENT_SID = /^HX[0-9a-fA-F]{32}$/;
const MAX_MEDIA = 10;
const MAX_STATUS_CALLBACK_LENGTH = 4000;

/**
 * Applies the checks Twilio makes before accepting a message, first failure wins. Codes and wording follow
 * Twilio's error dictionary (https://www.twilio.com/docs/api/errors), through herald's table of Twilio's errors.
 * Twilio does not document the order of its checks; this one reports missing parameters before malformed ones,
 * and addresses before content.
 */
export function validateCreateParams(params: FormParams): CreateValidation {
  const to = readScalar(params, 'To');
  const from = readScalar(params, 'From');
  const messagingServiceSid = readScalar(params, 'MessagingServiceSid');
  const body = readScalar(params, 'Body');
  const mediaUrls = readList(params, 'MediaUrl').filter((url) => url !== '');
  const contentSid = readScalar(params, 'ContentSid');
  const contentVariables = readScalar(params, 'ContentVariables');
  const statusCallback = readScalar(params, 'StatusCallback');

  if (to === undefined) return fail(21604);
  if (from === undefined && messagingServiceSid === undefined) return fail(21603);
  if (messagingServiceSid !== undefined && !MESSAGING_SERVICE_SID.test(messagingServiceSid)) {
    return fail(21705, `The Messaging Service Sid ${messagingServiceSid} is invalid.`);
  }
  if (!isValidRecipient(to)) return fail(21211, `The 'To' number ${to} is not a valid phone number.`);
  if (from !== undefined && !isValidSender(from)) {
    return fail(21212, `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`);
  }
  // A WhatsApp address on one side only cannot be routed; Twilio's dictionary has 21910 for exactly this.
  if (from !== undefined && isWhatsApp(from) !== isWhatsApp(to)) return fail(21910);
  if (contentSid !== undefined && !CONTENT_SID.test(contentSid)) return fail(21655);
  if (contentVariables !== undefined) {
    if (contentSid === undefined) return fail(21654);
    if (!isJsonObject(contentVariables)) return fail(21656);
  }
  if (body === undefined && mediaUrls.length === 0 && contentSid === undefined) {
    // 21602 is the classic answer; with a Messaging Service Twilio reports 21619 instead.
    return messagingServiceSid === undefined ? fail(21602) : fail(21619);
  }
  if (mediaUrls.length > MAX_MEDIA) return fail(21623);
  if (!mediaUrls.every(isHttpUrl)) return fail(21620);
  if (body !== undefined && body.length > MAX_BODY_LENGTH) return fail(21617);
  if (statusCallback !== undefined && !isValidStatusCallback(statusCallback)) return fail(21609);

  return {
    ok: true,
    create: {
      to,
      from,
      messagingServiceSid,
      body,
      mediaUrls,
      contentSid,
      sendAsMms: readScalar(params, 'SendAsMms') === 'true',
      statusCallback,
    },
  };
}

/** Twilio's answer with `code`, worded as the table has it unless `message` quotes the request. */
function fail(code: TwilioErrorCode, message?: string): CreateValidation {
  return { ok: false, error: makeTwilioError(code, message) };
}

function isHttpUrl(text: string): boolean {
  return URL.canParse(text) && ['http:', 'https:'].includes(new URL(text).protocol);
}

/** Twilio: a valid http(s) URL of at most 4000 characters whose hostname has no underscore. */
function isValidStatusCallback(text: string): boolean {
  return text.length <= MAX_STATUS_CALLBACK_LENGTH && isHttpUrl(text) && !new URL(text).hostname.includes('_');
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
