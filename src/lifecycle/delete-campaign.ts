import type { CampaignName, CampaignSpec } from '../domain/campaign.js';
import type { Keys } from '../store/keys.js';
import type { RedisClient } from '../redis/redis-connection.js';
import { SendQueues } from '../store/send-queues.js';

/**
 * Removes everything herald keeps of one campaign from Redis: its record, ledger, counters, details, receipts and
 * rejected counts, its ingest lease, its (campaign, lane) queues with any jobs left in them, and its place in the campaign index and
 * the active set. What is not the campaign's own stays: the opt-out list (every later campaign needs it), the
 * senders' rates and holds, and the workers' presence. The caller decides that deleting is safe (see retention.ts).
 */
export async function deleteCampaignData(
  connection: RedisClient,
  keys: Keys,
  name: CampaignName,
  spec: CampaignSpec | undefined,
): Promise<void> {
  if (spec !== undefined) {
    const queues = new SendQueues(connection, keys, spec);
    try {
      await queues.each((queue) => queue.obliterate({ force: true }));
    } finally {
      await queues.close();
    }
  }
  // The campaign's own keys share its hash tag, so one DEL removes them, on a Redis Cluster too.
  await connection.del(
    keys.campaign(name),
    keys.recipients(name),
    keys.counts(name),
    keys.rejected(name),
    keys.details(name),
    keys.receipts(name),
    keys.held(name),
    keys.ingest(name),
    keys.ingestLease(name),
  );
  await connection.srem(keys.activeCampaigns, name);
  await connection.zrem(keys.campaignIndex, name);
  await connection.publish(keys.control, JSON.stringify({ type: 'campaigns-changed' }));
}
