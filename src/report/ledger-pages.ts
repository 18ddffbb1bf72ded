import type { CampaignName } from '../domain/campaign.js';
import type { Keys } from '../queue/keys.js';
import { parseRecipientState, readLedger, type RecipientState } from '../queue/read-ledger.js';
import type { RedisClient } from '../queue/redis-connection.js';
import { decodeDetail, type RecipientDetail } from './recipient-detail.js';
import { parseStoredReceipt, type StoredReceipt } from '../receipts/receipt-store.js';

/** One recipient's ledger field. */
export type LedgerEntry = { to: string } & RecipientState;

/** One recipient as the ledger, its settle-time detail and its latest delivery receipt tell it. */
export interface RecipientRecord {
  entry: LedgerEntry;
  /** Present once the recipient was settled by a herald that keeps details. */
  detail: RecipientDetail | undefined;
  receipt: StoredReceipt | undefined;
}

/** Recipients read per round trip: one HSCAN page, then one HMGET of their details and one of their receipts. */
const PAGE = 500;

/**
 * Streams a campaign's recipients with their details and receipts, a page at a time, in constant memory however
 * many it holds. HSCAN may return a recipient twice when the hash is rehashed meanwhile; callers that must not
 * act twice check the ledger state in the same Lua step as they act (resend-scripts.ts).
 */
export async function* readRecipientPages(
  client: RedisClient,
  keys: Keys,
  campaign: CampaignName,
): AsyncGenerator<RecipientRecord[]> {
  let page: LedgerEntry[] = [];
  const flush = async (): Promise<RecipientRecord[]> => {
    const records = await withDetails(client, keys, campaign, page);
    page = [];
    return records;
  };
  for await (const entry of readLedger(client, keys, campaign)) {
    page.push(entry);
    if (page.length >= PAGE) yield await flush();
  }
  if (page.length > 0) yield await flush();
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
    client.hmget(keys.details(campaign), ...numbers),
    client.hmget(keys.receipts(campaign), ...numbers),
  ]);
  return entries.map((entry, index) => {
    const detail = details[index];
    const receipt = receipts[index];
    return {
      entry,
      detail: detail === null || detail === undefined ? undefined : decodeDetail(detail),
      receipt: receipt === null || receipt === undefined ? undefined : parseStoredReceipt(receipt),
    };
  });
}
