import type { CampaignName } from '../domain/campaign.js';
import type { E164 } from '../domain/e164.js';
import type { RedisClient } from '../redis/redis-connection.js';
import type { Keys } from './keys.js';
import { RedisScript } from './redis-script.js';

const COUNT = RedisScript.load('count-frequency');

/** The rolling window the cap counts in. */
export const FREQUENCY_WINDOW_MS = 24 * 3_600_000;

/** Counted: the message may go. Over: the cap is reached until `until` (ms, Redis's clock). */
export type FrequencyAnswer = { kind: 'counted' } | { kind: 'over'; until: number };

/**
 * At most `cap` messages per recipient in any rolling 24 hours, across every campaign and process: each recipient
 * has one sorted set of the campaigns that texted it and when, counted and trimmed in one script, expiring on its own
 * a day after its latest message. A message that Twilio did not process is given back.
 */
export class FrequencyCap {
  readonly #client: RedisClient;
  readonly #keys: Keys;
  readonly cap: number;

  constructor(client: RedisClient, keys: Keys, cap: number) {
    this.#client = client;
    this.#keys = keys;
    this.cap = cap;
  }

  async count(to: E164, campaign: CampaignName): Promise<FrequencyAnswer> {
    const until = Number(
      await COUNT.run(this.#client, [this.#keys.frequency(to)], [this.cap, FREQUENCY_WINDOW_MS, campaign]),
    );
    return until === 0 ? { kind: 'counted' } : { kind: 'over', until };
  }

  /** Takes back the campaign's count on the recipient: its message was not sent after all. */
  async giveBack(to: E164, campaign: CampaignName): Promise<void> {
    await this.#client.zrem(this.#keys.frequency(to), campaign);
  }
}
