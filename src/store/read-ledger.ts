import type { RedisClient } from '../redis/redis-connection.js';

import type { CampaignName } from '../domain/campaign.js';
import type { Keys } from './keys.js';
import { parseRecipientState, type RecipientState } from './ledger-state.js';

/** One recipient's ledger field. */
export type LedgerEntry = { to: string } & RecipientState;

/** Streams a campaign's ledger with HSCAN, in constant memory however many recipients it holds. */
export async function* readLedger(
  client: RedisClient,
  keys: Keys,
  campaign: CampaignName,
): AsyncGenerator<LedgerEntry> {
  for await (const page of readLedgerPages(client, keys, campaign)) yield* page;
}

/**
 * The ledger a page (one HSCAN reply, of about `pageSize` recipients) at a time. HSCAN may return a recipient twice
 * when the hash is rehashed meanwhile; callers that must not act twice check the state in the same Lua step as
 * they act.
 */
export async function* readLedgerPages(
  client: RedisClient,
  keys: Keys,
  campaign: CampaignName,
  pageSize = 1000,
): AsyncGenerator<LedgerEntry[]> {
  let cursor = '0';
  do {
    const [next, flat] = await client.hscan(keys.recipients(campaign), cursor, 'COUNT', pageSize);
    cursor = next;
    const page: LedgerEntry[] = [];
    for (let index = 0; index + 1 < flat.length; index += 2) {
      page.push({ to: flat[index]!, ...parseRecipientState(flat[index + 1]!) });
    }
    yield page;
  } while (cursor !== '0');
}
