import type { CampaignName } from '../domain/campaign.js';
import type { CampaignRecord, CampaignStore } from '../queue/campaign-store.js';
import type { Keys } from '../store/keys.js';
import type { RedisClient } from '../redis/redis-connection.js';
import { formatDuration } from '../lib/format-duration.js';
import { HeraldError } from '../lib/herald-error.js';
import { deleteCampaignData } from './delete-campaign.js';

/** The campaign may not be deleted now (it is still sending, or a producer is still reading its file). */
export class DeleteRefusedError extends HeraldError {
  override name = 'DeleteRefusedError';
}

/**
 * Why a campaign cannot be deleted now, or undefined when it can: only a campaign that has ended (finished, or
 * cancelled with its last send settled) and whose file is read, so no worker and no producer still uses its keys.
 * Pure.
 */
export function findDeleteRefusal(record: CampaignRecord): string | undefined {
  const ended = (record.state === 'finished' || record.state === 'cancelled') && record.finishedAt !== undefined;
  if (!ended) {
    const stop =
      record.state === 'cancelled'
        ? `wait for its last sends: herald cancel ${record.spec.name} --wait`
        : `cancel it first: herald cancel ${record.spec.name} --wait`;
    return `campaign ${record.spec.name} is ${record.state}, not ended; ${stop}`;
  }
  if (record.ingest !== 'done') return `campaign ${record.spec.name} is still being read from its file by herald send`;
  return undefined;
}

/** Whether an ended campaign is past the retention age at `now` (ms); `retentionMs` 0 keeps every campaign. Pure. */
export function isPastRetention(record: CampaignRecord, now: number, retentionMs: number): boolean {
  if (retentionMs <= 0 || findDeleteRefusal(record) !== undefined || record.finishedAt === undefined) return false;
  return now - Date.parse(record.finishedAt) > retentionMs;
}

/**
 * Deletes a campaign that has ended, reading its record again just before, so that a campaign reopened meanwhile
 * (`herald send` run again on a finished campaign) is left alone. Throws DeleteRefusedError otherwise.
 */
export async function deleteEndedCampaign(
  connection: RedisClient,
  keys: Keys,
  store: CampaignStore,
  name: CampaignName,
): Promise<CampaignRecord> {
  const record = await store.get(name);
  if (record === undefined) throw new DeleteRefusedError(`no campaign named ${name}`);
  const refusal = findDeleteRefusal(record);
  if (refusal !== undefined) throw new DeleteRefusedError(refusal);
  await deleteCampaignData(connection, keys, name, record.spec);
  return record;
}

/** How often a worker looks for campaigns past the retention age. */
export const RETENTION_SWEEP_MS = 3_600_000;

/**
 * The workers' side of retention: every hour one worker (whichever takes the sweep's lock) deletes the campaigns that
 * ended longer ago than the retention age, freeing their Redis memory.
 */
export class RetentionSweeper {
  readonly #connection: RedisClient;
  readonly #keys: Keys;
  readonly #store: CampaignStore;
  readonly #retentionMs: number;
  readonly #onDeleted: (name: CampaignName, endedAgo: string) => void;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: {
    connection: RedisClient;
    keys: Keys;
    store: CampaignStore;
    retentionMs: number;
    onDeleted: (name: CampaignName, endedAgo: string) => void;
  }) {
    this.#connection = options.connection;
    this.#keys = options.keys;
    this.#store = options.store;
    this.#retentionMs = options.retentionMs;
    this.#onDeleted = options.onDeleted;
  }

  start(onError: (error: unknown) => void, intervalMs = RETENTION_SWEEP_MS): void {
    if (this.#retentionMs <= 0) return;
    void this.sweep().catch(onError);
    this.#timer = setInterval(() => void this.sweep().catch(onError), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
  }

  /** One pass: the campaigns deleted. Skipped (an empty list) while another worker's pass holds the lock. */
  async sweep(now = Date.now()): Promise<CampaignName[]> {
    const locked = await this.#connection.set(this.#keys.retentionSweep, String(process.pid), 'PX', 600_000, 'NX');
    if (locked !== 'OK') return [];
    const deleted: CampaignName[] = [];
    try {
      for (const name of await this.#store.allNames()) {
        const record = await this.#store.get(name);
        if (record === undefined || !isPastRetention(record, now, this.#retentionMs)) continue;
        try {
          await deleteEndedCampaign(this.#connection, this.#keys, this.#store, name);
        } catch (error) {
          if (error instanceof DeleteRefusedError) continue;
          throw error;
        }
        deleted.push(name);
        this.#onDeleted(name, formatDuration((now - Date.parse(record.finishedAt ?? '')) / 1000));
      }
    } finally {
      await this.#connection.del(this.#keys.retentionSweep);
    }
    return deleted;
  }
}
