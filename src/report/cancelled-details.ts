import type { Queue } from 'bullmq';

import type { CampaignSpec } from '../domain/campaign.js';
import { parseMessageTemplates } from '../domain/template.js';
import type { Keys } from '../queue/keys.js';
import type { RedisClient } from '../queue/redis-connection.js';
import { decodeSendJob } from '../queue/stored-send-job.js';
import { encodeDetail } from './recipient-detail.js';

/** Jobs read per page when a cancel keeps their recipients' details. */
const DETAIL_PAGE = 500;

/**
 * Keeps, for each recipient whose job a cancel is about to remove, what its report row needs (line, sender, channel,
 * attempts, queued time), as a settled recipient has it: the job is the only place these live until then. A recipient
 * that already has details (settled, or resent) keeps its own, and one whose send goes on settles with its own. Read
 * while the queues are paused (campaign-control.ts), so no job leaves them unread; should one be missed all the same,
 * its row shows only the number and state.
 */
export async function keepCancelledDetails(
  client: RedisClient,
  keys: Keys,
  spec: CampaignSpec,
  queue: Queue,
): Promise<void> {
  const parsed = parseMessageTemplates(spec.templates);
  if (!parsed.ok) return;
  const variables = [...parsed.templates.variables];
  const now = Date.now();
  for (let start = 0; ; start += DETAIL_PAGE) {
    const jobs = await queue.getJobs(['active', 'waiting', 'delayed', 'prioritized'], start, start + DETAIL_PAGE - 1);
    if (jobs.length === 0) return;
    const multi = client.multi();
    for (const job of jobs) {
      let data: ReturnType<typeof decodeSendJob>;
      try {
        data = decodeSendJob(job.data, job.id, variables);
      } catch {
        continue;
      }
      const detail = encodeDetail({
        line: data.line,
        senderId: senderOfQueue(queue.name),
        channel: data.channel,
        attempts: job.attemptsMade,
        queuedAt: job.timestamp,
        settledAt: now,
        vars: {},
      });
      multi.hsetnx(keys.details(spec.name), data.to, detail);
    }
    await multi.exec();
  }
}

/** The sender id in a queue name `{campaign~sender}` (queue/keys.ts queueNameOf). */
function senderOfQueue(name: string): string {
  return name.slice(name.indexOf('~') + 1, -1);
}
