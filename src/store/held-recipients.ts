import type { CampaignName } from '../domain/campaign.js';
import type { E164 } from '../domain/e164.js';
import type { RedisClient } from '../redis/redis-connection.js';
import type { Keys } from './keys.js';

/** The compliance rules that hold a recipient back (a wait, never a drop). */
export const HOLD_REASONS = ['quiet-hours', 'frequency-cap'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

/**
 * Why a queued recipient was last held back and until when: `rule` and `zone` for quiet hours (`TX`,
 * `America/Chicago`). Kept small, as a few million may be held at once overnight.
 */
export interface RecipientHold {
  readonly reason: HoldReason;
  /** ms since the epoch, Redis's clock. */
  readonly until: number;
  readonly rule?: string;
  readonly zone?: string;
}

/** A compact array: `[reason, until, rule?, zone?]`. */
export function encodeHold(hold: RecipientHold): string {
  const { reason, until, rule, zone } = hold;
  return JSON.stringify(rule === undefined ? [reason, until] : [reason, until, rule, zone ?? '']);
}

/** undefined for a value herald did not write. */
export function decodeHold(text: string): RecipientHold | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  const [reason, until, rule, zone] = value as unknown[];
  if (!(HOLD_REASONS as readonly unknown[]).includes(reason) || typeof until !== 'number') return undefined;
  return {
    reason: reason as HoldReason,
    until,
    ...(typeof rule === 'string' ? { rule } : {}),
    ...(typeof zone === 'string' && zone !== '' ? { zone } : {}),
  };
}

/** Records why a recipient waits (one HSET; it replaces the recipient's last hold). */
export async function recordHold(
  client: RedisClient,
  keys: Keys,
  campaign: CampaignName,
  to: E164,
  hold: RecipientHold,
): Promise<void> {
  await client.hset(keys.held(campaign), to, encodeHold(hold));
}

/** The recipients' last holds, in order (undefined for one never held). */
export async function readHolds(
  client: RedisClient,
  keys: Keys,
  campaign: CampaignName,
  numbers: readonly string[],
): Promise<(RecipientHold | undefined)[]> {
  if (numbers.length === 0) return [];
  const values = await client.hmget(keys.held(campaign), ...numbers);
  return values.map((value) => (value === null ? undefined : decodeHold(value)));
}

/**
 * Recipients held back at `now`, by reason: those whose hold has not ended. Scans the campaign's holds a thousand at a
 * time. A recipient settled since its hold ended is not counted, as its hold's time has passed.
 */
export async function countHeld(
  client: RedisClient,
  keys: Keys,
  campaign: CampaignName,
  now: number,
): Promise<Record<HoldReason, number>> {
  const counts: Record<HoldReason, number> = { 'quiet-hours': 0, 'frequency-cap': 0 };
  let cursor = '0';
  do {
    const [next, flat] = await client.hscan(keys.held(campaign), cursor, 'COUNT', 1000);
    cursor = next;
    for (let i = 1; i < flat.length; i += 2) {
      const hold = decodeHold(flat[i]!);
      if (hold !== undefined && hold.until > now) counts[hold.reason] += 1;
    }
  } while (cursor !== '0');
  return counts;
}
