import { Queue } from 'bullmq';

import { senderId } from '../domain/sender.js';
import type { SendJobData } from '../ingest/plan-row.js';
import type { CampaignRecord } from '../queue/campaign-store.js';
import { forwardErrors } from '../queue/connection-errors.js';
import { type Keys, queueNameOf } from '../queue/keys.js';
import type { RedisClient } from '../queue/redis-connection.js';
import { readRecipientPages, type RecipientRecord } from './ledger-pages.js';
import { formatReportRow, type PendingJob, type ReportRow } from './report-row.js';

/**
 * The rows of a campaign's report, one per recipient in the ledger, streamed a page at a time. A settled
 * recipient's row comes from its ledger state, detail and receipt; a pending one's line and channel from its job,
 * which still exists while it waits.
 */
export async function* readReportRows(
  connection: RedisClient,
  keys: Keys,
  record: CampaignRecord,
): AsyncGenerator<ReportRow> {
  const queues = new Map(
    record.spec.senders.map((entry) => {
      const id = senderId(entry.sender);
      const queue = forwardErrors(
        new Queue<SendJobData>(queueNameOf(record.spec.name, id), { connection, prefix: keys.prefix }),
        connection,
      );
      return [id, queue] as const;
    }),
  );
  const pendingJob = async ({ entry }: RecipientRecord): Promise<PendingJob | undefined> => {
    // An in-flight mark does not name the sender; a campaign has a handful of queues, so each is asked.
    const candidates = entry.state === 'queued' ? [entry.senderId] : [...queues.keys()];
    for (const id of candidates) {
      const job = await queues.get(id)?.getJob(entry.to);
      if (job === undefined) continue;
      const { line, channel } = job.data;
      return { line, channel, senderId: id, queuedAt: job.timestamp, attempts: job.attemptsStarted };
    }
    return undefined;
  };
  try {
    for await (const page of readRecipientPages(connection, keys, record.spec.name)) {
      const pending = await Promise.all(
        page.map((item) =>
          item.detail === undefined && (item.entry.state === 'queued' || item.entry.state === 'in-flight')
            ? pendingJob(item)
            : undefined,
        ),
      );
      for (const [index, item] of page.entries()) yield formatReportRow(item, pending[index]);
    }
  } finally {
    await Promise.all([...queues.values()].map((queue) => queue.close()));
  }
}
