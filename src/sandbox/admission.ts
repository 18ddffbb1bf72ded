import type { ArrivalLog } from './arrival-log.js';
import { type DailyCounts, makeDailyCapError } from './daily-cap.js';
import type { FaultKind } from './fault-settings.js';
import type { MessageFacts } from './message-resource.js';
import type { SenderQueues } from './sender-queues.js';
import type { TwilioError } from './twilio-error.js';

export type Admission =
  | { ok: true; sendAt: number }
  | { ok: false; error: TwilioError; fault?: Extract<FaultKind, 'daily-cap' | 'queue-full'> };

export interface AdmissionState {
  accountSid: string;
  /** Read on each create, since faults (and so the cap) can change while the sandbox runs. */
  dailyCap: () => number | undefined;
  dailyCounts: DailyCounts;
  queues: SenderQueues;
  arrivals: ArrivalLog;
  /** Why the recipient cannot get this message now (opted out of the sender, outside a WhatsApp session). */
  recipientRefusal: (facts: MessageFacts, at: number) => TwilioError | undefined;
}

/**
 * Whether a valid message is accepted, given its recipient (opted out of the sender, say), its sender's daily count
 * and queue; an accepted one is counted
 * everywhere (cap, queue, arrivals) and told when it leaves its sender's queue. The cap is checked first:
 * Twilio refuses an account over its cap whatever the state of the sender's queue.
 */
export function admitMessage(facts: MessageFacts, at: number, state: AdmissionState): Admission {
  const refusal = state.recipientRefusal(facts, at);
  if (refusal !== undefined) return { ok: false, error: refusal };
  const sender = senderOf(facts);
  const cap = state.dailyCap();
  if (cap !== undefined && state.dailyCounts.countToday(sender, at) >= cap) {
    return { ok: false, error: makeDailyCapError(state.accountSid, cap), fault: 'daily-cap' };
  }
  // An MMS or a WhatsApp message has numSegments 1, so this is segments for SMS and messages otherwise.
  const queued = state.queues.enqueue(sender, facts.numSegments, at);
  if (!queued.ok) return { ok: false, error: queued.error, fault: 'queue-full' };
  state.dailyCounts.add(sender, at);
  state.arrivals.record(sender, at);
  return { ok: true, sendAt: queued.sendAt };
}

/** The sender a message counts against: its From, else its Messaging Service (validation requires one). */
function senderOf(facts: MessageFacts): string {
  return facts.from ?? facts.messagingServiceSid ?? '';
}
