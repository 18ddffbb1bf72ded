import type { CallbackSettings, UndeliveredCode } from './callback-settings.js';
import { drawBetween, drawWeighted, type Random } from './random.js';

/** A status a message moves to after it is created, each reported by one status callback. */
export type DeliveryEvent =
  | { status: 'sent' | 'delivered' | 'read'; at: number }
  | { status: 'undelivered'; errorCode: UndeliveredCode; at: number };

export type DeliveryStatus = DeliveryEvent['status'];

// How far along each status is; a message never moves back, whatever order the callbacks arrive in.
const RANK: Readonly<Record<DeliveryStatus, number>> = { sent: 1, delivered: 2, undelivered: 2, read: 3 };

/**
 * A message's life after it leaves its sender's queue at `leavesQueueAt` (ms), in the order its callbacks
 * are sent: `sent` after a carrier delay, then `delivered` or `undelivered` (with an error code), then for
 * WhatsApp maybe `read`. When drawn out of order, the final status takes `sent`'s place in time and `sent`
 * comes after it; a duplicated callback is repeated straight after itself.
 */
export function planDelivery(
  leavesQueueAt: number,
  whatsapp: boolean,
  settings: CallbackSettings,
  random: Random,
): DeliveryEvent[] {
  const sentAt = leavesQueueAt + drawBetween(random, settings.sentDelayMs);
  const finalAt = sentAt + drawBetween(random, settings.deliveredDelayMs);
  const undelivered = random() < settings.undeliveredShare;
  const final: DeliveryEvent = undelivered
    ? { status: 'undelivered', errorCode: drawWeighted(random, settings.undeliveredCodes), at: finalAt }
    : { status: 'delivered', at: finalAt };
  const read = !undelivered && whatsapp && random() < settings.readShare;
  const outOfOrder = random() < settings.outOfOrderShare;

  const events: DeliveryEvent[] = outOfOrder
    ? [
        { ...final, at: sentAt },
        { status: 'sent', at: finalAt },
      ]
    : [{ status: 'sent', at: sentAt }, final];
  if (read) events.push({ status: 'read', at: finalAt + drawBetween(random, settings.deliveredDelayMs) });
  return events.flatMap((event) => (random() < settings.duplicateShare ? [event, event] : [event]));
}

/** The furthest status reached by `now` (ms), or undefined while the message is still queued. */
export function findDeliveryState(events: readonly DeliveryEvent[], now: number): DeliveryEvent | undefined {
  let state: DeliveryEvent | undefined;
  for (const event of events) {
    if (event.at <= now && (state === undefined || RANK[event.status] > RANK[state.status])) state = event;
  }
  return state;
}
