import type { CampaignName } from '../domain/campaign.js';
import type { Keys } from '../store/keys.js';
import { parseRecipientState } from '../store/ledger-state.js';
import { type LedgerEntry, readLedgerPages } from '../store/read-ledger.js';
import type { RedisClient } from '../redis/redis-connection.js';
import { decodeOptOut, OPTED_OUT_CODE, type OptOutRecord } from '../compliance/opt-out-record.js';
import { readHolds, type RecipientHold } from '../store/held-recipients.js';
import { readDetails, type RecipientDetail } from '../store/recipient-detail.js';
import { readReceipts, type StoredReceipt } from '../store/receipts.js';

export type { LedgerEntry };

/** One recipient as the ledger, its settle-time detail and its latest delivery receipt tell it. */
export interface RecipientRecord {
  entry: LedgerEntry;
  /** Present once the recipient was settled (or cancelled) by a herald that keeps details. */
  detail: RecipientDetail | undefined;
  receipt: StoredReceipt | undefined;
  /** Why a pending recipient was last held back by a compliance rule, if it was. */
  hold?: RecipientHold;
  /** The opt-out record of a recipient refused because it opted out (21610), while the number is on the list. */
  optOut?: OptOutRecord;
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
  const pending = entries
    .filter((entry) => entry.state === 'queued' || entry.state === 'in-flight')
    .map(({ to }) => to);
  const optedOut = entries
    .filter((entry) => entry.state === 'failed' && entry.code === OPTED_OUT_CODE)
    .map(({ to }) => to);
  const [details, receipts, holds, optOuts] = await Promise.all([
    readDetails(client, keys, campaign, numbers),
    readReceipts(client, keys, campaign, numbers),
    readHolds(client, keys, campaign, pending),
    readOptOutRecords(client, keys, optedOut),
  ]);
  const holdOf = new Map(pending.map((to, index) => [to, holds[index]]));
  const optOutOf = new Map(optedOut.map((to, index) => [to, optOuts[index]]));
  return entries.map((entry, index) => {
    const hold = holdOf.get(entry.to);
    const optOut = optOutOf.get(entry.to);
    return {
      entry,
      detail: details[index],
      receipt: receipts[index],
      ...(hold === undefined ? {} : { hold }),
      ...(optOut === undefined ? {} : { optOut }),
    };
  });
}

/** The opt-out records of these numbers (undefined for one no longer on the list): one HMGET. */
async function readOptOutRecords(
  client: RedisClient,
  keys: Keys,
  numbers: readonly string[],
): Promise<(OptOutRecord | undefined)[]> {
  if (numbers.length === 0) return [];
  const values = await client.hmget(keys.optOuts, ...numbers);
  return values.map((value) => (value === null ? undefined : decodeOptOut(value)));
}
