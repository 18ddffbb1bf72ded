import type { CampaignName } from '../domain/campaign.js';
import { asE164, countryOf } from '../domain/e164.js';
import type { Keys } from '../store/keys.js';
import type { RedisClient } from '../redis/redis-connection.js';
import type { SendEvents } from './send-events.js';
import { nameSentUnitsField } from './sent-units.js';

/** Countries remembered by number prefix before the memory is cleared; a few thousand prefixes cover most files. */
const MAX_PREFIXES = 50_000;
/** `+` and six digits: numbers that share them share a country (a NANP area code and exchange, or more). */
const PREFIX_LENGTH = 7;

/**
 * Counts, in Redis, the units Twilio bills for every message this worker had accepted (see sent-units.ts), from the
 * send events, added up in memory and written once a second per campaign: a message costs no Redis command of its
 * own, and a crash loses at most a second of an estimate.
 */
export class SentUnitsRecorder {
  readonly #client: RedisClient;
  readonly #keys: Keys;
  readonly #pending = new Map<CampaignName, Map<string, number>>();
  readonly #countries = new Map<string, string | undefined>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(client: RedisClient, keys: Keys) {
    this.#client = client;
    this.#keys = keys;
  }

  start(events: SendEvents, onError: (error: unknown) => void, intervalMs = 1000): void {
    events.on('attempt', (attempt) => {
      if (attempt.outcome !== 'sent') return;
      this.#add(
        attempt.campaign as CampaignName,
        nameSentUnitsField(attempt.channel, this.#countryOf(attempt.jobId)),
        attempt.cost,
      );
    });
    this.#timer = setInterval(() => void this.flush().catch(onError), intervalMs);
    this.#timer.unref();
  }

  /** Writes what was counted since the last write. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      const batches = [...this.#pending];
      this.#pending.clear();
      for (const [index, [campaign, fields]] of batches.entries()) {
        const multi = this.#client.multi();
        for (const [field, units] of fields) multi.hincrby(this.#keys.counts(campaign), field, units);
        try {
          await multi.exec();
        } catch (error) {
          // Kept for the next write, so Redis being away for a while loses nothing.
          for (const [again, unwritten] of batches.slice(index))
            for (const [field, units] of unwritten) this.#add(again, field, units);
          throw error;
        }
      }
    });
    return this.#flushing;
  }

  /** Stops the timer and writes what is left. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.flush();
  }

  #add(campaign: CampaignName, field: string, units: number): void {
    const fields = this.#pending.get(campaign) ?? new Map<string, number>();
    this.#pending.set(campaign, fields);
    fields.set(field, (fields.get(field) ?? 0) + units);
  }

  #countryOf(jobId: string): string | undefined {
    const prefix = jobId.slice(0, PREFIX_LENGTH);
    if (this.#countries.has(prefix)) return this.#countries.get(prefix);
    if (this.#countries.size >= MAX_PREFIXES) this.#countries.clear();
    const e164 = asE164(jobId);
    const country = e164 === undefined ? undefined : countryOf(e164);
    this.#countries.set(prefix, country);
    return country;
  }
}
