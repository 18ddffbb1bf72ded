import type { RedisClient } from '../redis/redis-connection.js';

import type { CampaignName } from '../domain/campaign.js';
import type { Channel } from '../domain/channel.js';
import type { Keys } from './keys.js';
import { RedisScript } from './redis-script.js';

/*
 * Delivery receipts, beside the ledger in the campaign's hash slot: the `receipts` hash holds one field per
 * recipient that Twilio has reported on (the encoding: lua/includes/receipt-record.lua), and the receipt counters
 * live in the campaign's `counts` hash.
 */

const RECORD_RECEIPT = RedisScript.load('record-receipt', { replicated: true });

export const RECORD_RESULTS = ['recorded', 'stale', 'unknown-recipient', 'other-message'] as const;
export type RecordResult = (typeof RECORD_RESULTS)[number];

/** One status callback as the store records it. */
export interface ReceiptUpdate {
  campaign: CampaignName;
  /** The recipient as the ledger knows it. */
  to: string;
  sid: string;
  status: string;
  /** Where the status stands: a rank not above the recorded one changes nothing; a closed one ends the record. */
  step: { rank: number; closed: boolean; effect: 'none' | 'delivered' | 'read' | 'undelivered' };
  /** Twilio's ErrorCode, else `none`. */
  code: string;
  channel: Channel;
}

/** A recipient's latest receipt as stored. */
export interface StoredReceipt {
  status: string;
  code: string;
  sid: string;
}

/**
 * Records a status callback if it moves the recipient forward (record-receipt-3.lua), counting each recipient
 * once: 'stale' for a repeat or one out of order, 'unknown-recipient' and 'other-message' for a callback about
 * someone or something the ledger does not hold.
 */
export async function recordReceipt(client: RedisClient, keys: Keys, receipt: ReceiptUpdate): Promise<RecordResult> {
  const { campaign, step } = receipt;
  const scriptKeys = [keys.recipients(campaign), keys.receipts(campaign), keys.counts(campaign)];
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
  const result = String(await RECORD_RECEIPT.run(client, scriptKeys, args));
  if (!(RECORD_RESULTS as readonly string[]).includes(result)) throw new Error(`receipt script answered ${result}`);
  return result as RecordResult;
}

/** Reads a stored receipt value, `<rank>|<closed>|<delivered>|<status>|<code>|<sid>`. */
export function parseStoredReceipt(value: string): StoredReceipt {
  const [, , , status = '', code = '', sid = ''] = value.split('|');
  return { status, code, sid };
}

/** The recipients' latest receipts, in order (undefined for one without). */
export async function readReceipts(
  client: RedisClient,
  keys: Keys,
  campaign: CampaignName,
  numbers: readonly string[],
): Promise<(StoredReceipt | undefined)[]> {
  if (numbers.length === 0) return [];
  const values = await client.hmget(keys.receipts(campaign), ...numbers);
  return values.map((value) => (value === null ? undefined : parseStoredReceipt(value)));
}
