import type { CampaignName } from '../domain/campaign.js';
import type { Keys } from '../store/keys.js';
import { parseRecipientState } from '../store/ledger-state.js';
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
    yield await withDetails(client, keys, campaign, page);
  }
}

/** The given recipients as the ledger tells them (undefined for a number not in it), in one round trip of each kind. */
export async function readRecipients(
  client: RedisClient,
  keys: Keys,
  campaign: CampaignName,
  numbers: readonly string[],
): Promise<(RecipientRecord | undefined)[]> {
  if (numbers.length === 0) return [];
  const states = await client.hmget(keys.recipients(campaign), ...numbers);
  const entries = numbers.flatMap((to, index) => {
    const state = states[index];
    return state === null || state === undefined ? [] : [{ to, ...parseRecipientState(state) }];
  });
  const found = new Map(
    (await withDetails(client, keys, campaign, entries)).map((record) => [record.entry.to, record]),
  );
  return numbers.map((to) => found.get(to));
}

/** Ledger entries with their details and receipts: one HMGET of each for all of them. */
async function withDetails(
  client: RedisClient,
  keys: Keys,
  campaign: CampaignName,
  entries: readonly LedgerEntry[],
): Promise<RecipientRecord[]> {
  if (entries.length === 0) return [];
  const numbers = entries.map((entry) => entry.to);
  const [details, receipts] = await Promise.all([
    readDetails(client, keys, campaign, numbers),
    readReceipts(client, keys, campaign, numbers),
  ]);
  return entries.map((entry, index) => ({ entry, detail: details[index], receipt: receipts[index] }));
}
