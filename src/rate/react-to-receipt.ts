import type { CampaignName } from '../domain/campaign.js';
import { nextResetAt } from '../domain/daily-reset.js';
import type { Hold } from '../domain/hold.js';
import { DEFAULT_CAP_RESET } from '../domain/rate-group-file.js';
import { linkAt } from '../domain/rate-group.js';
import { senderAddress } from '../domain/sender.js';
import type { SendEvents } from '../observe/send-events.js';
import type { CampaignStore } from '../queue/campaign-store.js';
import type { Receipt } from '../receipts/parse-callback.js';
import type { GroupsInUse } from './groups-in-use.js';
import type { Holds } from './holds.js';
import type { RatePacer } from './rate-pacer.js';

/** How long a 30022 (the carrier's 10DLC rate exceeded) throttles its pool. */
const CARRIER_THROTTLE_MS = 1000;

export interface ReceiptReactionDeps {
  store: CampaignStore;
  groups: GroupsInUse;
  pacer: RatePacer;
  holds: Holds;
  events: SendEvents;
}

/**
 * Acts on the delivery receipts that speak of a group rather than of one message. The carriers' limits arrive in
 * status callbacks, after Twilio accepted the message: 30027 (T-Mobile's daily cap for the brand is reached; what is
 * sent after it is filtered with 30023) holds the sender's brand group until the cap's reset; 30022 (the 10DLC
 * campaign's carrier rate exceeded) throttles its pool for a second.
 */
export async function reactToReceipt(receipt: Receipt, deps: ReceiptReactionDeps, now = Date.now()): Promise<void> {
  if (receipt.code !== '30027' && receipt.code !== '30022') return;
  const record = await deps.store.get(receipt.campaign as CampaignName);
  const entry = record?.spec.senders.find((candidate) => {
    const address = senderAddress(candidate.sender);
    return address === receipt.messagingServiceSid || address === receipt.from;
  });
  if (entry === undefined) return;
  const chain = deps.groups.chainOf(entry.sender);
  if (receipt.code === '30022') {
    await deps.pacer.throttle(chain, linkAt(chain, 'pool'), CARRIER_THROTTLE_MS);
    return;
  }
  const brand = linkAt(chain, 'brand');
  const reset = brand.dailyCap ?? DEFAULT_CAP_RESET;
  const hold: Hold = {
    state: 'held',
    code: '30027',
    reason: 'the carrier’s daily cap for the brand is reached (T-Mobile)',
    since: now,
    until: nextResetAt(reset.resetAt, reset.timeZone, now),
  };
  if (await deps.holds.hold(chain, brand, hold)) {
    deps.events.emit('held', { campaign: receipt.campaign, subject: brand.label, level: brand.level, hold });
  }
}
