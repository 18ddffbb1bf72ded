import { Queue } from 'bullmq';

import { type Sender, senderId as idOf } from '../domain/sender.js';
import type { CampaignStore } from '../queue/campaign-store.js';
import { type Keys, queueNameOf } from '../store/keys.js';
import type { RedisClient } from '../queue/redis-connection.js';

/**
 * Makes the held jobs of the senders `concerns` picks due now, in every active campaign: a held job waits in BullMQ's
 * delayed set for its next look, and a resume should not have to wait for it. Returns the number of queues touched.
 */
export async function promoteHeldJobs(
  connection: RedisClient,
  keys: Keys,
  store: CampaignStore,
  concerns: (sender: Sender) => boolean,
): Promise<number> {
  let touched = 0;
  for (const campaign of await store.activeNames()) {
    const record = await store.get(campaign);
    for (const entry of record?.spec.senders ?? []) {
      const id = idOf(entry.sender);
      if (!concerns(entry.sender)) continue;
      const queue = new Queue(queueNameOf(campaign, id), { connection, prefix: keys.prefix });
      try {
        await queue.promoteJobs();
        touched += 1;
      } finally {
        await queue.close();
      }
    }
  }
  return touched;
}
