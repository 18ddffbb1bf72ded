import { delayReplies, logCreateRequests, requireAccount } from './api-steps.js';
import { makeMessagesHandler } from './api-handlers.js';
import { answerInspection } from './inspection.js';
import type { MessageStore } from './message-store.js';
import { composeHandlers, type Handler, replyError } from './pipeline.js';
import type { RequestLog } from './request-log.js';
import { makeNotFoundError } from './twilio-error.js';

export interface AppDependencies {
  accountSid: string;
  authToken: string;
  latencyMs: number;
  store: MessageStore;
  log: RequestLog;
  /** Aborted on close, to cut short answers still waiting out their latency. */
  signal: AbortSignal;
}

/**
 * The whole sandbox behind the HTTP server. Twilio API requests go through the step pipeline, outermost
 * first: latency, then the request log (so it sees refused requests too), then authentication.
 */
export function createApp(dependencies: AppDependencies): Handler {
  const api = composeHandlers(
    [
      delayReplies(dependencies.latencyMs, dependencies.signal),
      logCreateRequests(dependencies.log),
      requireAccount({ username: dependencies.accountSid, password: dependencies.authToken }),
    ],
    makeMessagesHandler({ accountSid: dependencies.accountSid, store: dependencies.store }),
  );
  return async (request) => {
    switch (request.route.kind) {
      case 'sandbox-requests':
      case 'sandbox-health':
        return answerInspection(request, dependencies);
      case 'unknown':
        return replyError(makeNotFoundError(request.url.pathname));
      default:
        return api(request);
    }
  };
}
