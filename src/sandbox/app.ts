import type { Admission } from './admission.js';
import { delayReplies, logCreateRequests, requireAccount } from './api-steps.js';
import { makeMessagesHandler } from './api-handlers.js';
import { type FaultInjector, injectFaults } from './fault-injection.js';
import { answerInspection, type InspectionDependencies } from './inspection.js';
import type { MessageFacts } from './message-resource.js';
import type { MessageStore } from './message-store.js';
import type { Recipients } from './recipients.js';
import { composeHandlers, type Handler, replyError } from './pipeline.js';
import type { RequestLog } from './request-log.js';
import { makeNotFoundError } from './twilio-error.js';

export interface AppDependencies extends InspectionDependencies {
  accountSid: string;
  authToken: string;
  latencyMs: number;
  store: MessageStore;
  log: RequestLog;
  faults: FaultInjector;
  admit: (facts: MessageFacts, at: number) => Admission;
  deliver: ((facts: MessageFacts, leavesQueueAt: number) => MessageFacts) | undefined;
  recipients: Recipients;
  /** Aborted on close, to cut short answers still waiting out their latency. */
  signal: AbortSignal;
}

/**
 * The whole sandbox behind the HTTP server. Twilio API requests go through the step pipeline, outermost
 * first: latency, then the request log (so it sees refused requests too), then authentication, then fault
 * injection (so a bad login is never mistaken for an injected fault).
 */
export function createApp(dependencies: AppDependencies): Handler {
  const api = composeHandlers(
    [
      delayReplies(dependencies.latencyMs, dependencies.signal),
      logCreateRequests(dependencies.log),
      requireAccount({ username: dependencies.accountSid, password: dependencies.authToken }),
      injectFaults(dependencies.faults),
    ],
    makeMessagesHandler(dependencies),
  );
  return async (request) => {
    switch (request.route.kind) {
      case 'sandbox-requests':
      case 'sandbox-health':
      case 'sandbox-faults':
      case 'sandbox-senders':
      case 'sandbox-callbacks':
      case 'sandbox-replies':
        return answerInspection(request, dependencies);
      case 'unknown':
        return replyError(makeNotFoundError(request.url.pathname));
      default:
        return api(request);
    }
  };
}
