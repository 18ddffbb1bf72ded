import { Queue } from 'bullmq';

import type { CampaignName, CampaignSpec } from '../domain/campaign.js';
import { senderId } from '../domain/sender.js';
import { forwardErrors } from '../queue/connection-errors.js';
import type { Keys } from '../store/keys.js';
import { queueNameOf } from '../store/keys.js';
import type { RedisClient } from '../queue/redis-connection.js';

/**
 * Removes everything herald keeps of one campaign from Redis: its record, ledger, counters, details, receipts and
 * rejected counts, its ingest lease, its (campaign, sender) queues with any jobs left in them, and its place in the campaign index and
 * the active set. What is not the campaign's own stays: the opt-out list (every later campaign needs it), the
 * senders' rates and holds, and the workers' presence. The caller decides that deleting is safe (see retention.ts).
 */
export async function deleteCampaignData(
  connection: RedisClient,
  keys: Keys,
  name: CampaignName,
  spec: CampaignSpec | undefined,
): Promise<void> {
  for (const entry of spec?.senders ?? []) {
    const queue = forwardErrors(
      new Queue(queueNameOf(name, senderId(entry.sender)), { connection, prefix: keys.prefix }),
      connection,
    );
    try {
      await queue.obliterate({ force: true });
    } finally {
      await queue.close();
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
