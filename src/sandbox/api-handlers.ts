import { randomBytes } from 'node:crypto';
import type { Admission } from './admission.js';
import { createMessage } from './create-message.js';
import { buildMessagesPage } from './list-page.js';
import { buildMediaPage, buildMediaResources } from './media-list.js';
import { parseListQuery } from './list-query.js';
import { buildMessageResource, type MessageFacts, makeMessagesPath } from './message-resource.js';
import type { MessageStore } from './message-store.js';
import type { Recipients } from './recipients.js';
import { type ApiRequest, type Handler, type Reply, replyError, replyJson } from './pipeline.js';
import { makeNotFoundError, METHOD_NOT_ALLOWED_ERROR } from './twilio-error.js';

export interface ApiDependencies {
  accountSid: string;
  store: MessageStore;
  /** Whether a valid message is accepted (daily cap, sender queue), counting it if so. */
  admit: (facts: MessageFacts, at: number) => Admission;
  /** Plans an accepted message's delivery and callbacks; absent when delivery is not simulated. */
  deliver: ((facts: MessageFacts, leavesQueueAt: number) => MessageFacts) | undefined;
  /** The recipients, some of whom reply once the message has left. */
  recipients: Pick<Recipients, 'afterAccepted'>;
}

/** Answers authenticated requests to the Messages API: create, list and fetch, and a message's media. */
export function makeMessagesHandler(dependencies: ApiDependencies): Handler {
  return async (request) => {
    const route = request.route;
    switch (route.kind) {
      case 'messages':
        if (request.method === 'POST') return createAndStore(request, dependencies);
        if (request.method === 'GET') return listMessages(request, dependencies);
        return replyError(METHOD_NOT_ALLOWED_ERROR);
      case 'message': {
        // Update (redaction, cancel) and delete are not modelled: herald only creates, lists and fetches.
        if (request.method !== 'GET') return replyError(METHOD_NOT_ALLOWED_ERROR);
        const facts = dependencies.store.get(route.messageSid);
        if (facts === undefined) return replyError(makeNotFoundError(request.url.pathname));
        return replyJson(200, buildMessageResource(facts, request.receivedAt));
      }
      case 'media-list':
      case 'media': {
        if (request.method !== 'GET') return replyError(METHOD_NOT_ALLOWED_ERROR);
        const facts = dependencies.store.get(route.messageSid);
        if (facts === undefined) return replyError(makeNotFoundError(request.url.pathname));
        if (route.kind === 'media-list') return replyJson(200, buildMediaPage(facts));
        const media = buildMediaResources(facts).find((item) => item.sid === route.mediaSid);
        return media === undefined ? replyError(makeNotFoundError(request.url.pathname)) : replyJson(200, media);
      }
      default:
        return replyError(makeNotFoundError(request.url.pathname));
    }
  };
}

function createAndStore(request: ApiRequest, dependencies: ApiDependencies): Reply {
  // Created when the request arrived, the instant its queue time and delivery are counted from, so that its
  // date_sent is never before its date_created.
  const outcome = createMessage(request.params, {
    accountSid: dependencies.accountSid,
    now: new Date(request.receivedAt),
    makeHex32: () => randomBytes(16).toString('hex'),
  });
  if (!outcome.ok) return replyError(outcome.error);
  const admission = dependencies.admit(outcome.facts, request.receivedAt);
  if (!admission.ok)
    return { ...replyError(admission.error), ...(admission.fault === undefined ? {} : { fault: admission.fault }) };
  const facts = dependencies.deliver?.(outcome.facts, admission.sendAt) ?? outcome.facts;
  dependencies.store.add(facts);
  dependencies.recipients.afterAccepted(facts, admission.sendAt);
  return { ...replyJson(201, buildMessageResource(facts, 'created')), sid: facts.sid };
}

function listMessages(request: ApiRequest, dependencies: ApiDependencies): Reply {
  const parsed = parseListQuery(request.url.searchParams);
  if (!parsed.ok) return replyError(parsed.error);
  const matching = dependencies.store.findNewestFirst(parsed.query.filter, request.receivedAt);
  const listPath = `${makeMessagesPath(dependencies.accountSid)}.json`;
  const outcome = buildMessagesPage(matching, parsed.query, listPath, request.receivedAt);
  return outcome.ok ? replyJson(200, outcome.page) : replyError(outcome.error);
}
