import { lanesOf, sendersOfLane } from '../domain/lanes.js';
import { type Sender } from '../domain/sender.js';
import type { CampaignStore } from '../queue/campaign-store.js';
import type { Keys } from '../store/keys.js';
import type { RedisClient } from '../redis/redis-connection.js';
import { openSendQueue } from '../store/send-queues.js';

/**
 * Makes the held jobs of the senders `concerns` picks due now, in every active campaign: a held job waits in BullMQ's
 * delayed set for its next look, and a resume should not have to wait for it. A lane's queue is promoted whole when
 * any of its senders is concerned: a job of another sender made due early looks at its own holds and waits again.
 * Returns the number of queues touched.
 */
export async function promoteHeldJobs(
  connection: RedisClient,
  keys: Keys,
  store: CampaignStore,
  concerns: (sender: Sender) => boolean,
): Promise<number> {
  let touched = 0;
  for (const campaign of await store.activeNames()) {
    const spec = (await store.get(campaign))?.spec;
    if (spec === undefined) continue;
    for (const lane of lanesOf(spec)) {
      if (!sendersOfLane(spec, lane).some((entry) => concerns(entry.sender))) continue;
      const queue = openSendQueue(connection, keys, campaign, lane);
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
