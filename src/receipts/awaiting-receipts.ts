import type { CampaignName } from '../domain/campaign.js';
import type { Keys } from '../store/keys.js';
import type { RedisClient } from '../redis/redis-connection.js';

/** A sent message that has no final receipt yet, by its campaign and recipient (the ledger holds its SID). */
export interface AwaitedReceipt {
  campaign: CampaignName;
  to: string;
}

/** Campaign names and E.164 numbers hold no space, so one separates them. */
function memberOf({ campaign, to }: AwaitedReceipt): string {
  return `${campaign} ${to}`;
}

function parseMember(member: string): AwaitedReceipt | undefined {
  const [campaign, to, extra] = member.split(' ');
  return campaign === undefined || to === undefined || extra !== undefined
    ? undefined
    : { campaign: campaign as CampaignName, to };
}

/**
 * The sent messages whose final status herald has not heard of, each with the time to ask Twilio for it should no
 * callback bring it first (one sorted set per installation, `keys.awaitingReceipts`). A send adds its recipient; a
 * final receipt, by callback or by fetch, removes it; so the set holds the messages in between, not the campaign.
 */
export class AwaitingReceipts {
  readonly #client: RedisClient;
  readonly #key: string;

  constructor(client: RedisClient, keys: Keys) {
    this.#client = client;
    this.#key = keys.awaitingReceipts;
  }

  /** Waits for the receipt of the recipient's latest message; its status is fetched at `dueAt` if none came. */
  async await(receipt: AwaitedReceipt, dueAt: number): Promise<void> {
    await this.#client.zadd(this.#key, dueAt, memberOf(receipt));
  }

  /** Asks again at `dueAt`, unless a receipt ended the wait meanwhile. */
  async postpone(receipt: AwaitedReceipt, dueAt: number): Promise<void> {
    await this.#client.zadd(this.#key, 'XX', dueAt, memberOf(receipt));
  }

  async end(receipt: AwaitedReceipt): Promise<void> {
    await this.#client.zrem(this.#key, memberOf(receipt));
  }

  /** The waits due by `now`, oldest first, at most `limit`. */
  async due(now: number, limit: number): Promise<AwaitedReceipt[]> {
    const members = await this.#client.zrangebyscore(this.#key, '-inf', now, 'LIMIT', 0, limit);
    const out: AwaitedReceipt[] = [];
    for (const member of members) {
      const parsed = parseMember(member);
      if (parsed === undefined) await this.#client.zrem(this.#key, member);
      else out.push(parsed);
    }
    return out;
  }

  async size(): Promise<number> {
    return this.#client.zcard(this.#key);
  }
}
