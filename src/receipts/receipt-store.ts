import type { RedisClient } from '../redis/redis-connection.js';

import type { CampaignName } from '../domain/campaign.js';
import type { Keys } from '../store/keys.js';
import { readReceipts, recordReceipt, type RecordResult, type StoredReceipt } from '../store/receipts.js';
import { AwaitingReceipts } from './awaiting-receipts.js';
import type { Receipt } from './parse-callback.js';
import { isFinalStep } from './status-order.js';

export type { RecordResult };

/**
 * Delivery receipts in Redis: the final status and error code of each recipient, and the campaign's counters. A
 * final status recorded (or found already there) ends the recipient's wait in AwaitingReceipts.
 */
export class ReceiptStore {
  readonly #client: RedisClient;
  readonly #keys: Keys;
  readonly #awaiting: AwaitingReceipts;

  constructor(client: RedisClient, keys: Keys) {
    this.#client = client;
    this.#keys = keys;
    this.#awaiting = new AwaitingReceipts(client, keys);
  }

  async record(receipt: Receipt): Promise<RecordResult> {
    const result = await recordReceipt(this.#client, this.#keys, receipt);
    // Not for another message's receipt: the recipient's current message may still be waiting for its own.
    if ((result === 'recorded' || result === 'stale') && isFinalStep(receipt.step)) {
      await this.#awaiting.end({ campaign: receipt.campaign, to: receipt.to });
    }
    return result;
  }

  async get(campaign: CampaignName, to: string): Promise<StoredReceipt | undefined> {
    const [receipt] = await readReceipts(this.#client, this.#keys, campaign, [to]);
    return receipt;
  }
}
