import { hostname } from 'node:os';

import type { CampaignName } from '../domain/campaign.js';
import type { Keys } from '../store/keys.js';
import type { RedisClient } from '../redis/redis-connection.js';

/**
 * How long a `herald send` that stopped renewing its lease still counts as alive. A process killed outright
 * (`kill -9`, a lost machine) cannot say it stopped; its lease running out says it for it, this long after.
 */
export const LEASE_MS = 5000;
const RENEW_MS = 1000;

/**
 * Tells `herald status` that a campaign's file is being read, and how far: the producer holds a lease in Redis and
 * renews it every second with the line it reached. When the ingest ends early with an error it says why; when
 * its process dies, the lease runs out. Either way the campaign shows that its ingest stopped before the end of
 * the file, and where, instead of waiting forever with nothing pending.
 */
export class IngestLease {
  readonly #client: RedisClient;
  readonly #keys: Keys;
  readonly #campaign: CampaignName;
  readonly #timer: NodeJS.Timeout;
  #line = 0;

  private constructor(client: RedisClient, keys: Keys, campaign: CampaignName) {
    this.#client = client;
    this.#keys = keys;
    this.#campaign = campaign;
    this.#timer = setInterval(() => void this.#renew().catch(() => undefined), RENEW_MS);
    this.#timer.unref();
  }

  /** Takes the lease for a run of `file`, forgetting where and why an earlier run stopped. */
  static async take(client: RedisClient, keys: Keys, campaign: CampaignName, file: string): Promise<IngestLease> {
    await client
      .multi()
      .set(keys.ingestLease(campaign), String(process.pid), 'PX', LEASE_MS)
      .del(keys.ingest(campaign))
      .hset(keys.ingest(campaign), { file, line: 0, pid: process.pid, host: hostname() })
      .exec();
    return new IngestLease(client, keys, campaign);
  }

  /** The line of the last row read; written at the next renewal. */
  reached(line: number): void {
    this.#line = line;
  }

  /** The whole file was read. */
  async finish(): Promise<void> {
    clearInterval(this.#timer);
    await this.#client
      .multi()
      .del(this.#keys.ingestLease(this.#campaign))
      .hset(this.#keys.ingest(this.#campaign), 'line', this.#line)
      .exec();
  }

  /** The ingest stopped before the end of the file, for `reason`. */
  async stop(reason: string): Promise<void> {
    clearInterval(this.#timer);
    await this.#client
      .multi()
      .del(this.#keys.ingestLease(this.#campaign))
      .hset(this.#keys.ingest(this.#campaign), { line: this.#line, stopped: reason })
      .exec();
  }

  async #renew(): Promise<void> {
    await this.#client
      .multi()
      .set(this.#keys.ingestLease(this.#campaign), String(process.pid), 'PX', LEASE_MS)
      .hset(this.#keys.ingest(this.#campaign), 'line', this.#line)
      .exec();
  }
}

/** Where a campaign's reading of its file is, as `herald status` shows it. */
export type IngestState =
  | { state: 'done' }
  | { state: 'running'; file: string | null; line: number | null }
  | { state: 'stopped'; file: string | null; line: number | null; reason: string };

/** Reads {@link IngestState}; `ingest` is the campaign record's own (done once the producer read the whole file). */
export async function readIngestState(
  client: RedisClient,
  keys: Keys,
  campaign: CampaignName,
  ingest: 'running' | 'done',
): Promise<IngestState> {
  if (ingest === 'done') return { state: 'done' };
  const [alive, fields] = await Promise.all([
    client.exists(keys.ingestLease(campaign)),
    client.hgetall(keys.ingest(campaign)),
  ]);
  const file = fields['file'] ?? null;
  const line = fields['line'] === undefined ? null : Number(fields['line']);
  if (alive === 1) return { state: 'running', file, line };
  const reason =
    fields['stopped'] ?? `its herald send ended (process ${fields['pid'] ?? '?'} on ${fields['host'] ?? '?'})`;
  return { state: 'stopped', file, line, reason };
}

/** One sentence for `herald status`: where a stopped ingest stopped, why, and what to do. */
export function describeStoppedIngest(stopped: Extract<IngestState, { state: 'stopped' }>): string {
  // The line is written once a second, so the ingest may have gone a little further.
  const seen =
    stopped.line === null || stopped.line === 0
      ? ''
      : ` (read to line ${stopped.line.toLocaleString('en-US')} at least)`;
  return (
    `ingest stopped before the end of ${stopped.file ?? 'its file'}${seen}: ${stopped.reason}; ` +
    'run the same herald send again to finish it'
  );
}
