import type { RedisClient } from './redis-connection.js';

import type { CampaignName } from '../domain/campaign.js';
import type { Keys } from './keys.js';

export type RecipientState =
  | { state: 'queued'; senderId: string }
  | { state: 'in-flight'; since: number }
  | { state: 'sent'; sid: string }
  | { state: 'failed'; code: string }
  | { state: 'unknown'; reason: string }
  | { state: 'cancelled' };

/** Reads one ledger value (see ledger-scripts.ts for the format). */
export function parseRecipientState(value: string): RecipientState {
  const detail = value.slice(2);
  switch (value[0]) {
    case 'q':
      return { state: 'queued', senderId: detail };
    case 'i':
      return { state: 'in-flight', since: Number(detail.split(':')[0]) };
    case 's':
      return { state: 'sent', sid: detail };
    case 'f':
      return { state: 'failed', code: detail };
    case 'c':
      return { state: 'cancelled' };
    default:
      return { state: 'unknown', reason: detail };
  }
}

/** Streams a campaign's ledger with HSCAN, in constant memory however many recipients it holds. */
export async function* readLedger(
  client: RedisClient,
  keys: Keys,
  campaign: CampaignName,
): AsyncGenerator<{ to: string } & RecipientState> {
  let cursor = '0';
  do {
    const [next, flat] = await client.hscan(keys.recipients(campaign), cursor, 'COUNT', 1000);
    cursor = next;
    for (let index = 0; index + 1 < flat.length; index += 2) {
      yield { to: flat[index]!, ...parseRecipientState(flat[index + 1]!) };
    }
  } while (cursor !== '0');
}
