import type { CampaignName } from '../domain/campaign.js';
import type { Keys } from '../store/keys.js';
import { type LedgerEntry, readLedgerPages } from '../store/read-ledger.js';
import type { RedisClient } from '../queue/redis-connection.js';
import { readDetails, type RecipientDetail } from '../store/recipient-detail.js';
import { readReceipts, type StoredReceipt } from '../store/receipts.js';

export type { LedgerEntry };

/** One recipient as the ledger, its settle-time detail and its latest delivery receipt tell it. */
export interface RecipientRecord {
  entry: LedgerEntry;
  /** Present once the recipient was settled (or cancelled) by a herald that keeps details. */
  detail: RecipientDetail | undefined;
  receipt: StoredReceipt | undefined;
}

/** Recipients read per round trip, about: one HSCAN reply, then one HMGET of their details and one of their receipts. */
const PAGE = 500;

/**
 * Streams a campaign's recipients with their details and receipts, a page at a time, in constant memory however
 * many it holds. HSCAN may return a
 * recipient twice when the hash is rehashed meanwhile; callers that must not act twice check the ledger state in
 * the same Lua step as they act (the ledger's requeue).
 */
export async function* readRecipientPages(
  client: RedisClient,
  keys: Keys,
  campaign: CampaignName,
): AsyncGenerator<RecipientRecord[]> {
  for await (const page of readLedgerPages(client, keys, campaign, PAGE)) {
    if (page.length === 0) continue;
    const numbers = page.map((entry) => entry.to);
    const [details, receipts] = await Promise.all([
      readDetails(client, keys, campaign, numbers),
      readReceipts(client, keys, campaign, numbers),
    ]);
    yield page.map((entry, index) => ({ entry, detail: details[index], receipt: receipts[index] }));
  }
}
