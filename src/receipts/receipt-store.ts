import type { RedisClient } from '../queue/redis-connection.js';

import type { CampaignName } from '../domain/campaign.js';
import type { Keys } from '../queue/keys.js';
import { AwaitingReceipts } from './awaiting-receipts.js';
import type { Receipt } from './parse-callback.js';
import { RECORD_RECEIPT } from './receipt-scripts.js';
import { isFinalStep } from './status-order.js';

export const RECORD_RESULTS = ['recorded', 'stale', 'unknown-recipient', 'other-message'] as const;
export type RecordResult = (typeof RECORD_RESULTS)[number];

/** A recipient's latest receipt as stored (see receipt-scripts.ts). */
export interface StoredReceipt {
  status: string;
  code: string;
  sid: string;
}

/** Reads a stored receipt value, `<rank>|<closed>|<delivered>|<status>|<code>|<sid>`. */
export function parseStoredReceipt(value: string): StoredReceipt {
  const [, , , status = '', code = '', sid = ''] = value.split('|');
  return { status, code, sid };
}

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
    const { campaign, step } = receipt;
    const keys = [this.#keys.recipients(campaign), this.#keys.receipts(campaign), this.#keys.counts(campaign)];
    const args = [
      receipt.to,
      receipt.sid,
      receipt.status,
      step.rank,
      step.closed ? 1 : 0,
      step.effect,
      receipt.code,
      receipt.channel,
    ];
    const result = String(await RECORD_RECEIPT.run(this.#client, keys, args));
    if (!(RECORD_RESULTS as readonly string[]).includes(result)) throw new Error(`receipt script answered ${result}`);
    // Not for another message's receipt: the recipient's current message may still be waiting for its own.
    if ((result === 'recorded' || result === 'stale') && isFinalStep(step)) {
      await this.#awaiting.end({ campaign, to: receipt.to });
    }
    return result as RecordResult;
  }

  async get(campaign: CampaignName, to: string): Promise<StoredReceipt | undefined> {
    const value = await this.#client.hget(this.#keys.receipts(campaign), to);
    return value === null ? undefined : parseStoredReceipt(value);
  }
}
