import type { RedisClient } from '../queue/redis-connection.js';

import type { CampaignName } from '../domain/campaign.js';
import type { Keys } from '../store/keys.js';
import { readReceipts, recordReceipt, type RecordResult, type StoredReceipt } from '../store/receipts.js';
import type { Receipt } from './parse-callback.js';

export type { RecordResult };

/** Delivery receipts in Redis: the final status and error code of each recipient, and the campaign's counters. */
export class ReceiptStore {
  readonly #client: RedisClient;
  readonly #keys: Keys;

  constructor(client: RedisClient, keys: Keys) {
    this.#client = client;
    this.#keys = keys;
  }

  record(receipt: Receipt): Promise<RecordResult> {
    return recordReceipt(this.#client, this.#keys, receipt);
  }

  async get(campaign: CampaignName, to: string): Promise<StoredReceipt | undefined> {
    const [receipt] = await readReceipts(this.#client, this.#keys, campaign, [to]);
    return receipt;
  }
}
