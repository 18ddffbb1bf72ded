import { Queue } from 'bullmq';

import { senderId } from '../domain/sender.js';
import { parseMessageTemplates } from '../domain/template.js';
import type { CampaignRecord } from '../queue/campaign-store.js';
import { forwardErrors } from '../queue/connection-errors.js';
import { type Keys, queueNameOf } from '../queue/keys.js';
import type { LedgerEntry } from './ledger-pages.js';
import type { RedisClient } from '../queue/redis-connection.js';
import { decodeSendJob, type StoredSendJob } from '../queue/stored-send-job.js';
import { readRecipientPages, type RecipientRecord } from './ledger-pages.js';
import { formatReportRow, type PendingJob, type ReportRow } from './report-row.js';

export interface PendingJobs {
  /** What a pending recipient's job tells (line, channel, sender), for one without details yet. */
  of(record: RecipientRecord): Promise<PendingJob | undefined>;
  close(): Promise<void>;
}

/** Reads pending recipients' jobs from the campaign's queues; close it when done. */
export function openPendingJobs(connection: RedisClient, keys: Keys, record: CampaignRecord): PendingJobs {
  const queues = new Map(
    record.spec.senders.map((entry) => {
      const id = senderId(entry.sender);
      const queue = forwardErrors(
        new Queue<StoredSendJob>(queueNameOf(record.spec.name, id), { connection, prefix: keys.prefix }),
        connection,
      );
      return [id, queue] as const;
    }),
  );
  const parsed = parseMessageTemplates(record.spec.templates);
  const variables = parsed.ok ? [...parsed.templates.variables] : [];
  const read = async (entry: LedgerEntry): Promise<PendingJob | undefined> => {
    // An in-flight mark does not name the sender; a campaign has a handful of queues, so each is asked.
    const candidates = entry.state === 'queued' ? [entry.senderId] : [...queues.keys()];
    for (const id of candidates) {
      const job = await queues.get(id)?.getJob(entry.to);
      if (job === undefined) continue;
      try {
        const { line, channel } = decodeSendJob(job.data, job.id, variables);
        return { line, channel, senderId: id, queuedAt: job.timestamp, attempts: job.attemptsMade };
      } catch {
        // Not in herald's job format: the row keeps what the ledger knows.
        return undefined;
      }
    }
    return undefined;
  };
  return {
    of: ({ entry, detail }) =>
      detail === undefined && (entry.state === 'queued' || entry.state === 'in-flight')
        ? read(entry)
        : Promise.resolve(undefined),
    close: async () => {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
    },
  };
}

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
  const jobs = openPendingJobs(connection, keys, record);
  try {
    for await (const page of readRecipientPages(connection, keys, record.spec.name)) {
      const pending = await Promise.all(page.map((item) => jobs.of(item)));
      for (const [index, item] of page.entries()) yield formatReportRow(item, pending[index]);
    }
  } finally {
    await jobs.close();
  }
}
