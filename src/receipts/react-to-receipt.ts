import type { CampaignName } from '../domain/campaign.js';
import { nextResetAt } from '../domain/daily-reset.js';
import type { Hold } from '../domain/hold.js';
import { linkAt } from '../domain/rate-group.js';
import { senderAddress } from '../domain/sender.js';
import type { SendEvents } from '../observe/send-events.js';
import type { CampaignStore } from '../queue/campaign-store.js';
import type { Receipt } from './parse-callback.js';
import { computeHoldEnd } from '../twilio-errors/hold-end.js';
import { twilioErrorOf } from '../twilio-errors/twilio-errors.js';
import type { GroupsInUse } from '../rate/groups-in-use.js';
import type { Holds } from '../rate/holds.js';
import type { RatePacer } from '../rate/rate-pacer.js';

/** How long a throttle reported on a receipt (30022, the 10DLC campaign's carrier rate) slows its group. */
const RECEIPT_THROTTLE_MS = 1000;

export interface ReceiptReactionDeps {
  store: CampaignStore;
  groups: GroupsInUse;
  pacer: RatePacer;
  holds: Holds;
  events: SendEvents;
}

/**
 * Acts on the delivery receipts whose code speaks of a rate group rather than of one message, as the table of
 * Twilio's errors says. Carriers' limits arrive in status callbacks, after Twilio accepted the message: 30027
 * (T-Mobile's daily cap for the brand is reached) and 30023 (filtered after it) hold the sender's brand group until
 * the cap's reset, in the group's own zone when it has a daily cap configured; 30022 (the 10DLC campaign's carrier
 * rate exceeded) throttles its pool for a second.
 */
export async function reactToReceipt(receipt: Receipt, deps: ReceiptReactionDeps, now = Date.now()): Promise<void> {
  const known = twilioErrorOf(receipt.code);
  const action = known?.action;
  if (known === undefined || action === undefined) return;
  if (action.kind !== 'throttle' && action.kind !== 'hold') return;
  const record = await deps.store.get(receipt.campaign as CampaignName);
  const entry = record?.spec.senders.find((candidate) => {
    const address = senderAddress(candidate.sender);
    return address === receipt.messagingServiceSid || address === receipt.from;
  });
  if (entry === undefined) return;
  const chain = deps.groups.chainOf(entry.sender);
  const link = linkAt(chain, action.scope);
  if (action.kind === 'throttle') {
    await deps.pacer.throttle(chain, link, RECEIPT_THROTTLE_MS);
    return;
  }
  const cap = link.dailyCap;
  const until =
    action.until === 'daily-reset' && cap !== undefined
      ? nextResetAt(cap.resetAt, cap.timeZone, now)
      : computeHoldEnd(action.until, { now });
  const hold: Hold = { state: 'held', code: receipt.code, reason: known.reason, since: now, until };
  const newly =
    action.scope === 'account' ? await deps.holds.holdAccount(hold) : await deps.holds.hold(chain, link, hold);
  if (!newly) return;
  const [subject, level] = action.scope === 'account' ? ['account', 'account' as const] : [link.label, link.level];
  deps.events.emit('held', { campaign: receipt.campaign, subject, level, hold });
}
