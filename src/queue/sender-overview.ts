import type { RedisClient } from './redis-connection.js';

import type { SenderHold } from '../domain/sender-hold.js';
import { senderAddress, senderId as idOf, senderMps } from '../domain/sender.js';
import type { CampaignStore } from './campaign-store.js';
import type { Keys } from '../store/keys.js';
import { SenderHolds } from './sender-holds.js';
import { SenderPacer } from './sender-pacer.js';

export interface SenderRow {
  senderId: string;
  /** As Twilio's From (or the Messaging Service SID); absent for a held sender no active campaign uses. */
  address?: string;
  /** The limit the pacer holds it to (its configured rate, else the campaign's, else its kind's default). */
  mps?: number;
  /** Active campaigns that send from it. */
  campaigns: string[];
  hold?: SenderHold;
}

export interface SenderOverview {
  account?: SenderHold;
  senders: SenderRow[];
}

/** Every sender of an active campaign, and every sender on hold, with its rate and state (for `herald senders`). */
export async function readSenderOverview(
  connection: RedisClient,
  keys: Keys,
  store: CampaignStore,
  now = Date.now(),
): Promise<SenderOverview> {
  const holds = new SenderHolds(connection, keys);
  const pacer = new SenderPacer(connection, keys);
  const rows = new Map<string, SenderRow>();
  for (const campaign of await store.activeNames()) {
    const record = await store.get(campaign);
    for (const entry of record?.spec.senders ?? []) {
      const id = idOf(entry.sender);
      const row = rows.get(id) ?? {
        senderId: id,
        address: senderAddress(entry.sender),
        mps: (await pacer.rateOf(id)) ?? senderMps(entry.sender, entry.mps),
        campaigns: [],
      };
      row.campaigns.push(campaign);
      rows.set(id, row);
    }
  }
  for (const { senderId, hold } of await holds.heldSenders(now)) {
    rows.set(senderId, { ...(rows.get(senderId) ?? { senderId, campaigns: [] }), hold });
  }
  const account = await holds.accountHold(now);
  return {
    ...(account === undefined ? {} : { account }),
    senders: [...rows.values()].sort((a, b) => a.senderId.localeCompare(b.senderId)),
  };
}
