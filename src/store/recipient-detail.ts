import type { RedisClient } from '../redis/redis-connection.js';

import type { CampaignName } from '../domain/campaign.js';
import { type Channel, isChannel } from '../domain/channel.js';
import type { Keys } from './keys.js';

/**
 * What herald keeps of a recipient once it is settled or cancelled, beside the ledger's one-word state, in the
 * campaign's `details` hash: enough to write its report row and to rebuild its message for `herald resend-failed`.
 * Written by the settle and cancel scripts, never at queue time, so a queued recipient costs Redis nothing more
 * than its job and its ledger field.
 */
export interface RecipientDetail {
  /** The row's line in the source file. */
  line: number;
  senderId: string;
  channel: Channel;
  /**
   * Attempts spent on the recipient, as HERALD_ATTEMPTS counts them: each create call that failed with a transient
   * fault and was retried, and the one that settled it. A throttled request (429) and waits for a window, a pacing
   * slot or a sender's hold use no attempt and are not counted; a recipient settled before any call has 0.
   */
  attempts: number;
  /** When the job was added, ms since the epoch. */
  queuedAt: number;
  /** When herald recorded the final outcome, ms since the epoch. */
  settledAt: number;
  /** The template variables of the row, as the job carried them. */
  vars: Readonly<Record<string, string>>;
}

/** Format version, first in the array, so a later layout can be told apart from this one. */
const VERSION = 1;

/** A compact JSON array: the field names are not repeated for each of a million recipients. */
export function encodeDetail(detail: RecipientDetail): string {
  const { line, senderId, channel, attempts, queuedAt, settledAt, vars } = detail;
  return JSON.stringify([VERSION, line, senderId, channel, attempts, queuedAt, settledAt, vars]);
}

/** Reads a stored detail; undefined when the text is not one (written by another version, or damaged). */
export function decodeDetail(text: string): RecipientDetail | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value[0] !== VERSION || value.length !== 8) return undefined;
  const [, line, senderId, channel, attempts, queuedAt, settledAt, vars] = value as unknown[];
  if (
    typeof line !== 'number' ||
    typeof senderId !== 'string' ||
    typeof channel !== 'string' ||
    !isChannel(channel) ||
    typeof attempts !== 'number' ||
    typeof queuedAt !== 'number' ||
    typeof settledAt !== 'number' ||
    !isStringRecord(vars)
  ) {
    return undefined;
  }
  return { line, senderId, channel, attempts, queuedAt, settledAt, vars };
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((item) => typeof item === 'string')
  );
}

/** The recipients' details, in order (undefined for one without, or one that does not decode). */
export async function readDetails(
  client: RedisClient,
  keys: Keys,
  campaign: CampaignName,
  numbers: readonly string[],
): Promise<(RecipientDetail | undefined)[]> {
  if (numbers.length === 0) return [];
  const values = await client.hmget(keys.details(campaign), ...numbers);
  return values.map((value) => (value === null ? undefined : decodeDetail(value)));
}

/**
 * Keeps a recipient's detail unless it has one: that of a recipient the campaign gate cancelled while a worker held
 * its job (one that was settled before keeps the detail of its settlement).
 */
export async function keepDetailIfNone(
  client: RedisClient,
  keys: Keys,
  campaign: CampaignName,
  to: string,
  detail: RecipientDetail,
): Promise<void> {
  await client.hsetnx(keys.details(campaign), to, encodeDetail(detail));
}
