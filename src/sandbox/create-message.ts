import { countSegments } from '../domain/segments.js';
import { isWhatsApp } from './address.js';
import type { FormParams } from './form.js';
import { findMagicNumberError } from './magic-numbers.js';
import { makeMessageSid, type MessageFacts } from './message-resource.js';
import type { TwilioError } from './twilio-error.js';
import { type ValidCreate, validateCreateParams } from './validate-create.js';

/** What creation needs from the outside world, passed in so that this module stays pure. */
export interface CreateContext {
  accountSid: string;
  now: Date;
  /** 32 random hex digits for the SID. */
  makeHex32: () => string;
}

export type CreateOutcome = { ok: true; facts: MessageFacts } | { ok: false; error: TwilioError };

/**
 * Turns posted parameters into the message Twilio would create (render it with buildMessageResource), or the
 * error it would answer.
 */
export function createMessage(params: FormParams, context: CreateContext): CreateOutcome {
  const validation = validateCreateParams(params);
  if (!validation.ok) return validation;
  const create = validation.create;
  const magicError = findMagicNumberError(create.from, create.to);
  if (magicError !== undefined) return { ok: false, error: magicError };

  const hasMedia = create.mediaUrls.length > 0 || create.sendAsMms;
  const facts: MessageFacts = {
    accountSid: context.accountSid,
    sid: makeMessageSid(hasMedia, context.makeHex32()),
    to: create.to,
    from: create.from,
    messagingServiceSid: create.messagingServiceSid,
    body: create.body ?? '',
    mediaUrls: create.mediaUrls,
    numSegments: countMessageSegments(create, hasMedia),
    createdAt: context.now,
    ...(create.contentSid === undefined ? {} : { contentSid: create.contentSid }),
    ...(create.statusCallback === undefined ? {} : { statusCallback: create.statusCallback }),
  };
  return { ok: true, facts };
}

/** Only SMS is split into segments; an MMS or a WhatsApp message is one message whatever its length. */
function countMessageSegments(create: ValidCreate, hasMedia: boolean): number {
  if (hasMedia || isWhatsApp(create.to) || create.body === undefined) return 1;
  return countSegments(create.body).segments;
}
