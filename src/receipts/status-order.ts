/**
 * Where a message's status stands in Twilio's outbound lifecycle
 * (https://www.twilio.com/docs/messaging/guides/outbound-message-status-in-status-callbacks), so that callbacks that
 * arrive late, twice or out of order can only move a recipient forward: queued → sending → sent → delivered |
 * undelivered | failed, and read after delivered (WhatsApp). Pure.
 */
export interface StatusStep {
  /** Higher is later; a callback whose rank is not above the recorded one changes nothing. */
  rank: number;
  /** Nothing may follow: undelivered, failed and canceled are final, and read is the last step of all. */
  closed: boolean;
  /** What the step adds to the campaign's receipt counters when a recipient first reaches it. */
  effect: 'none' | 'delivered' | 'read' | 'undelivered';
}

const STEPS: Readonly<Record<string, StatusStep>> = {
  accepted: { rank: 1, closed: false, effect: 'none' },
  scheduled: { rank: 1, closed: false, effect: 'none' },
  queued: { rank: 1, closed: false, effect: 'none' },
  sending: { rank: 2, closed: false, effect: 'none' },
  sent: { rank: 3, closed: false, effect: 'none' },
  delivered: { rank: 4, closed: false, effect: 'delivered' },
  undelivered: { rank: 4, closed: true, effect: 'undelivered' },
  failed: { rank: 4, closed: true, effect: 'undelivered' },
  canceled: { rank: 4, closed: true, effect: 'none' },
  // Read implies delivered: when read arrives first, the recipient is counted delivered then, and once only.
  read: { rank: 5, closed: true, effect: 'read' },
};

/** The step of an outbound status, or undefined for statuses herald does not track (inbound, or new ones). */
export function statusStep(status: string): StatusStep | undefined {
  return Object.hasOwn(STEPS, status) ? STEPS[status] : undefined;
}

/** Whether herald stops waiting for news of a message at this step: it was delivered, or can go no further. */
export function isFinalStep(step: StatusStep): boolean {
  return step.closed || step.effect === 'delivered';
}
