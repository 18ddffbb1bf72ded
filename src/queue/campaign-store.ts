import type { RedisClient } from './redis-connection.js';

import type { CampaignName, CampaignSpec } from '../domain/campaign.js';
import type { Keys } from '../store/keys.js';
import { HeraldError } from '../lib/herald-error.js';

/** See docs/operating.md, "Campaign states". */
export const CAMPAIGN_STATES = ['scheduled', 'running', 'paused', 'cancelled', 'finished'] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

export interface CampaignRecord {
  spec: CampaignSpec;
  state: CampaignState;
  /** Whether the producer has read the whole file ('done') or is still adding jobs ('running'). */
  ingest: 'running' | 'done';
  createdAt: string;
  /** When a scheduled campaign may start sending (`herald send --send-at`). */
  startAt?: string;
  /** When its first send began. */
  startedAt?: string;
  pausedAt?: string;
  cancelledAt?: string;
  /** When it finished, or when a cancelled campaign's last in-flight send settled. */
  finishedAt?: string;
}

/** A campaign with its counters, as `herald campaigns` lists it. */
export interface CampaignSummary extends CampaignRecord {
  counts: CampaignCounts;
}

const TIMES = ['startAt', 'startedAt', 'pausedAt', 'cancelledAt', 'finishedAt'] as const;

/**
 * Counters of a campaign: `queued`, `sent`, `failed`, `unknown`, `cancelled`, `rejected`, and the first four per
 * channel (`sent:sms`).
 */
export type CampaignCounts = Readonly<Record<string, number>>;

export class CampaignConflictError extends HeraldError {
  override name = 'CampaignConflictError';
}

/** The campaign was cancelled while a producer was still adding its recipients. */
export class CampaignCancelledError extends HeraldError {
  override name = 'CampaignCancelledError';
}

/** What may not change between two runs of `herald send` for one campaign, because jobs already depend on it. */
/** What makes two specs the same campaign: not when it was made, nor the lanes (fixed by the first). */
function identity(spec: CampaignSpec): string {
  const { createdAt: _createdAt, lanes: _lanes, ...rest } = spec;
  return JSON.stringify(rest);
}

function differences(a: CampaignSpec, b: CampaignSpec): string[] {
  const fields = [
    'channel',
    'templates',
    'senders',
    'toColumn',
    'defaultCountry',
    'consentColumn',
    'window',
    'transactional',
  ] as const;
  return fields.filter((field) => JSON.stringify(a[field]) !== JSON.stringify(b[field]));
}

/** Campaign records in Redis. */
export class CampaignStore {
  readonly #client: RedisClient;
  readonly #keys: Keys;

  constructor(client: RedisClient, keys: Keys) {
    this.#client = client;
    this.#keys = keys;
  }

  /**
   * Creates the campaign, or reopens it for another pass of the producer when its spec is the same (a re-run
   * resumes an interrupted ingest and queues nobody twice). Then tells workers to serve it. With `startAt` a new
   * campaign is `scheduled`; a campaign keeps the schedule it was created with. A cancelled campaign stays
   * cancelled: running its file again would text the recipients the cancel spared, so that needs a new name.
   */
  async open(
    spec: CampaignSpec,
    options: { startAt?: Date } = {},
  ): Promise<{ created: boolean; record: CampaignRecord }> {
    const key = this.#keys.campaign(spec.name);
    const created = (await this.#client.hsetnx(key, 'spec', JSON.stringify(spec))) === 1;
    const existing = await this.get(spec.name);
    if (existing === undefined) throw new Error(`campaign ${spec.name} vanished while it was being opened`);
    if (!created && identity(existing.spec) !== identity(spec)) {
      throw new CampaignConflictError(
        `campaign ${spec.name} already exists with other ${differences(existing.spec, spec).join(', ')}; ` +
          'if it has not sent anything yet, run again with --replace to change it; else use a new --campaign name',
      );
    }
    if (!created && existing.state === 'cancelled') {
      throw new CampaignConflictError(
        `campaign ${spec.name} was cancelled${existing.cancelledAt === undefined ? '' : ` at ${existing.cancelledAt}`}; ` +
          'its file is not sent again under that name: use a new --campaign name',
      );
    }
    if (!created && options.startAt !== undefined && existing.startAt !== options.startAt.toISOString()) {
      throw new CampaignConflictError(
        `campaign ${spec.name} already exists ` +
          (existing.startAt === undefined ? 'without --send-at' : `scheduled for ${existing.startAt}`) +
          '; run it again without --send-at to add to it, with --replace to change its time if it has not sent ' +
          'anything yet, or use a new --campaign name',
      );
    }
    const startAt = created ? options.startAt : undefined;
    const scheduled = startAt !== undefined;
    const state = existing.state === 'finished' || created ? (scheduled ? 'scheduled' : 'running') : existing.state;
    await this.#client
      .multi()
      .hset(key, {
        state,
        ingest: 'running',
        ...(created ? { createdAt: spec.createdAt } : {}),
        ...(scheduled ? { startAt: startAt.toISOString(), startAtMs: startAt.getTime() } : {}),
      })
      .hdel(key, 'finishedAt')
      .exec();
    await this.#client.zadd(this.#keys.campaignIndex, 'NX', Date.parse(existing.spec.createdAt), spec.name);
    await this.activate(spec.name);
    return {
      created,
      record: {
        ...existing,
        state,
        ingest: 'running',
        ...(scheduled ? { startAt: startAt.toISOString() } : {}),
      },
    };
  }

  async get(name: CampaignName): Promise<CampaignRecord | undefined> {
    const fields = await this.#client.hgetall(this.#keys.campaign(name));
    if (fields['spec'] === undefined) return undefined;
    const spec = JSON.parse(fields['spec']) as CampaignSpec;
    return {
      spec,
      state: (fields['state'] ?? 'running') as CampaignState,
      ingest: fields['ingest'] === 'done' ? 'done' : 'running',
      createdAt: fields['createdAt'] ?? spec.createdAt,
      ...Object.fromEntries(TIMES.flatMap((field) => (fields[field] === undefined ? [] : [[field, fields[field]]]))),
    };
  }

  /** The campaign's counters (the totals always present, 0 until they move), `rejected` summed over its files. */
  async counts(name: CampaignName): Promise<CampaignCounts> {
    const [counts, rejected] = await Promise.all([
      this.#client.hgetall(this.#keys.counts(name)),
      this.#client.hvals(this.#keys.rejected(name)),
    ]);
    const out: Record<string, number> = { queued: 0, sent: 0, failed: 0, unknown: 0, cancelled: 0 };
    for (const [field, value] of Object.entries(counts)) out[field] = Number(value);
    out['rejected'] = rejected.reduce((sum, value) => sum + Number(value), 0);
    return out;
  }

  /**
   * Records how many rows of a source file were refused in its latest run. Set, not added, so that running the
   * same file again (to resume, or after fixing rows) does not count its bad rows twice.
   */
  async setRejected(name: CampaignName, file: string, rows: number): Promise<void> {
    await this.#client.hset(this.#keys.rejected(name), file, rows);
  }

  /** Every campaign, oldest first. */
  async allNames(): Promise<CampaignName[]> {
    return (await this.#client.zrange(this.#keys.campaignIndex, '0', '-1')) as CampaignName[];
  }

  /** Every campaign with its counters, oldest first. */
  async list(): Promise<CampaignSummary[]> {
    const summaries: CampaignSummary[] = [];
    for (const name of await this.allNames()) {
      const [record, counts] = await Promise.all([this.get(name), this.counts(name)]);
      if (record !== undefined) summaries.push({ ...record, counts });
    }
    return summaries;
  }

  /** Campaigns that workers must serve. */
  async activeNames(): Promise<CampaignName[]> {
    return (await this.#client.smembers(this.#keys.activeCampaigns)) as CampaignName[];
  }

  /**
   * Those of `names` that are finished: every recipient settled. (A cancelled campaign is let go by its cancel once
   * nothing is left in flight, not here: its Workers still settle the jobs a racing producer adds.)
   */
  async finishedAmong(names: readonly CampaignName[]): Promise<CampaignName[]> {
    const states = await Promise.all(names.map((name) => this.#client.hget(this.#keys.campaign(name), 'state')));
    return names.filter((_, index) => states[index] === 'finished');
  }

  async activate(name: CampaignName): Promise<void> {
    await this.#client.sadd(this.#keys.activeCampaigns, name);
    await this.#client.publish(this.#keys.control, JSON.stringify({ type: 'campaigns-changed' }));
  }

  /**
   * Stops serving a finished campaign. A producer may reopen it at the same moment (it sets the state to running
   * before it re-activates), so the state is read again after the removal and the campaign put back if needed.
   */
  async deactivateIfFinished(name: CampaignName): Promise<boolean> {
    await this.#client.srem(this.#keys.activeCampaigns, name);
    const state = await this.#client.hget(this.#keys.campaign(name), 'state');
    if (state === 'finished' || state === 'cancelled') {
      await this.#client.publish(this.#keys.control, JSON.stringify({ type: 'campaigns-changed' }));
      return true;
    }
    await this.activate(name);
    return false;
  }
}
