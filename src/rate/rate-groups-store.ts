import { HeraldError } from '../lib/herald-error.js';
import { findProblem, formatRateGroupsFile, parseLimit, parseRateGroupsFile } from '../domain/rate-group-file.js';
import type { SenderEntry } from '../domain/campaign.js';
import {
  chainOf,
  NO_GROUPS,
  type RateGroups,
  type SenderSetting,
  tightestRate,
  withSettings,
} from '../domain/rate-group.js';
import { senderId } from '../domain/sender.js';
import type { Keys } from '../store/keys.js';
import type { RedisClient } from '../redis/redis-connection.js';

/**
 * The rate groups every campaign and process shares, kept in Redis: the groups file as last applied, and on top of
 * it what `herald send` set for single senders (`--mps`, a senders file's `mps` and `group` columns). The last one
 * set wins: applying a file drops what `herald send` had set for the senders the file names.
 */
export class RateGroupsStore {
  readonly #client: RedisClient;
  readonly #keys: Keys;

  constructor(client: RedisClient, keys: Keys) {
    this.#client = client;
    this.#keys = keys;
  }

  /** The groups in force: the applied file with the senders' own settings on top. */
  async read(): Promise<RateGroups> {
    const [file, settings] = await Promise.all([
      this.#client.get(this.#keys.rateGroups),
      this.#client.hgetall(this.#keys.senderSettings),
    ]);
    const applied = file === null ? NO_GROUPS : parseStored(file);
    const senders = new Map(applied.senders);
    for (const [id, json] of Object.entries(settings)) senders.set(id, { ...senders.get(id), ...parseSetting(json) });
    return { groups: applied.groups, senders };
  }

  /** Replaces the applied groups, and tells every worker (they also look again every few seconds). */
  async apply(groups: RateGroups): Promise<void> {
    const named = [...groups.senders.keys()];
    const transaction = this.#client.multi().set(this.#keys.rateGroups, formatRateGroupsFile(groups));
    if (named.length > 0) transaction.hdel(this.#keys.senderSettings, ...named);
    await transaction.exec();
    await this.#client.publish(this.#keys.control, 'rate-groups');
  }

  /**
   * Sets single senders' limit or group, for every campaign and process. Refused, with one line, when the result
   * would name a group that does not exist or leave a sender with no limit anywhere.
   */
  async setSenders(settings: ReadonlyMap<string, SenderSetting>): Promise<void> {
    if (settings.size === 0) return;
    const problem = findProblem(withSettings(await this.read(), settings));
    if (problem !== undefined) throw new HeraldError(problem);
    const fields = [...settings].flatMap(([id, setting]) => [id, JSON.stringify(formatSetting(setting))]);
    await this.#client.hset(this.#keys.senderSettings, ...fields);
  }
}

function parseStored(text: string): RateGroups {
  const parsed = parseRateGroupsFile(text);
  // Only `apply` writes it, after the same check: a failure here means the key was written by something else.
  if (!parsed.ok) throw new HeraldError(`the rate groups kept in Redis do not read: ${parsed.reason}`);
  return parsed.groups;
}

function formatSetting(setting: SenderSetting): { limit?: string; group?: string } {
  const limit = setting.limit;
  return {
    ...(limit === undefined
      ? {}
      : { limit: limit === 'none' ? 'none' : `${limit.count}/${limit.per === 'second' ? 's' : 'min'}` }),
    ...(setting.group === undefined ? {} : { group: setting.group }),
  };
}

function parseSetting(json: string): SenderSetting {
  try {
    const fields = JSON.parse(json) as { limit?: unknown; group?: unknown };
    const limit =
      fields.limit === 'none' ? 'none' : typeof fields.limit === 'string' ? parseLimit(fields.limit) : undefined;
    return {
      ...(limit === undefined ? {} : { limit }),
      ...(typeof fields.group === 'string' ? { group: fields.group } : {}),
    };
  } catch {
    return {};
  }
}

/** Each sender's limit as the pacer applies it, in units per second: the tightest of its chain's (for status). */
export async function readSenderLimits(
  connection: RedisClient,
  keys: Keys,
  entries: readonly SenderEntry[],
): Promise<{ senderId: string; limitMps: number }[]> {
  const groups = await new RateGroupsStore(connection, keys).read();
  return entries.map((entry) => ({
    senderId: senderId(entry.sender),
    limitMps: tightestRate(chainOf(groups, entry.sender)),
  }));
}
