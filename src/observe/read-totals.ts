import type { RedisClient } from '../redis/redis-connection.js';

import type { CampaignName } from '../domain/campaign.js';
import { lanesOf } from '../domain/lanes.js';
import { senderId } from '../domain/sender.js';
import { chainOf, tightestRate } from '../domain/rate-group.js';
import type { CampaignStore } from '../queue/campaign-store.js';
import { RateGroupsStore } from '../rate/rate-groups-store.js';
import { type Keys, makeKeys, queueNameOf } from '../store/keys.js';
import { openSendQueue, type SendQueue } from '../store/send-queues.js';
import { type CampaignSeries, readCampaignSeries } from './count-fields.js';

/** Job states exported as queue depth; completed jobs are removed at once (job-options.ts), so not counted. */
export const JOB_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'failed'] as const;

export interface SenderTotals {
  senderId: string;
  /** The limit the pacer holds it to: the tightest of its own and its groups' (messages or segments/s). */
  limitMps: number;
}

export interface LaneTotals {
  lane: string;
  /** Jobs in the (campaign, lane) queue by state. */
  jobs: Record<(typeof JOB_STATES)[number], number>;
}

export interface CampaignTotals {
  campaign: CampaignName;
  series: CampaignSeries;
  senders: SenderTotals[];
  lanes: LaneTotals[];
}

export interface TotalsReaderOptions {
  store: CampaignStore;
  /** A client that fails at once while Redis is away, so that a scrape does not hang. */
  connection: RedisClient;
  prefix: string;
  /** Campaigns that finished longer ago than this are left out, to bound label cardinality. */
  finishedRetentionMs: number;
}

/** Reads what the campaign series export from Redis: counters, limits and queue depths of recent campaigns. */
export class TotalsReader {
  readonly #options: TotalsReaderOptions;
  readonly #keys: Keys;
  /** BullMQ Queue handles by queue name, kept between scrapes and closed once their campaign drops out. */
  readonly #queues = new Map<string, SendQueue>();
  readonly #groups: RateGroupsStore;

  constructor(options: TotalsReaderOptions) {
    this.#options = options;
    this.#keys = makeKeys(options.prefix);
    this.#groups = new RateGroupsStore(options.connection, this.#keys);
  }

  async read(now = Date.now()): Promise<CampaignTotals[]> {
    const { store, finishedRetentionMs } = this.#options;
    const out: CampaignTotals[] = [];
    const used = new Set<string>();
    const groups = await this.#groups.read();
    for (const campaign of await store.allNames()) {
      const record = await store.get(campaign);
      if (record === undefined) continue;
      if (record.finishedAt !== undefined && now - Date.parse(record.finishedAt) > finishedRetentionMs) continue;
      const senders = record.spec.senders.map((entry): SenderTotals => ({
        senderId: senderId(entry.sender),
        limitMps: tightestRate(chainOf(groups, entry.sender)),
      }));
      const lanes = await Promise.all(
        lanesOf(record.spec).map(async (lane): Promise<LaneTotals> => {
          const name = queueNameOf(campaign, lane);
          used.add(name);
          const counts = await this.#queue(name, campaign, lane).getJobCounts(...JOB_STATES);
          const jobs = { waiting: 0, prioritized: 0, delayed: 0, active: 0, failed: 0 };
          for (const state of JOB_STATES) jobs[state] = counts[state] ?? 0;
          return { lane, jobs };
        }),
      );
      out.push({ campaign, series: readCampaignSeries(await store.counts(campaign)), senders, lanes });
    }
    for (const [name, queue] of this.#queues) {
      if (used.has(name)) continue;
      this.#queues.delete(name);
      void queue.close().catch(() => undefined);
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((queue) => queue.close().catch(() => undefined)));
    this.#queues.clear();
  }

  #queue(name: string, campaign: CampaignName, lane: string): SendQueue {
    let queue = this.#queues.get(name);
    if (queue === undefined) {
      queue = openSendQueue(this.#options.connection, this.#keys, campaign, lane);
      this.#queues.set(name, queue);
    }
    return queue;
  }
}
