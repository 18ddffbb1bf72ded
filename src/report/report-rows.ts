import { laneOf } from '../domain/lanes.js';
import { parseMessageTemplates } from '../domain/template.js';
import type { CampaignRecord } from '../queue/campaign-store.js';
import type { RedisClient } from '../redis/redis-connection.js';
import type { Keys } from '../store/keys.js';
import { SendQueues } from '../store/send-queues.js';
import { readRecipientPages, type RecipientRecord } from './ledger-pages.js';
import { formatReportRow, type PendingJob, type ReportRow } from './report-row.js';

export interface PendingJobs {
  /** What the jobs of these recipients tell (line, channel, sender), by number, for those without details yet. */
  of(records: readonly RecipientRecord[]): Promise<Map<string, PendingJob>>;
  close(): Promise<void>;
}

/** Reads pending recipients' jobs from the campaign's queues; close it when done. */
export function openPendingJobs(connection: RedisClient, keys: Keys, record: CampaignRecord): PendingJobs {
  const { spec } = record;
  const parsed = parseMessageTemplates(spec.templates);
  const variables = parsed.ok ? [...parsed.templates.variables] : [];
  const queues = new SendQueues(connection, keys, spec);
  return {
    of: async (records) => {
      const pending = records.filter(
        ({ entry, detail }) => detail === undefined && (entry.state === 'queued' || entry.state === 'in-flight'),
      );
      // An in-flight mark does not name the sender; a campaign has a handful of lanes, so each is asked.
      const asks = queues.lanes.map((lane) => ({
        lane,
        numbers: pending
          .filter(
            ({ entry }) =>
              entry.state === 'in-flight' || (entry.state === 'queued' && laneOf(spec, entry.senderId) === lane),
          )
          .map(({ entry }) => entry.to),
      }));
      const found = new Map<string, PendingJob>();
      await Promise.all(
        asks.map(async ({ lane, numbers }) => {
          const jobs = await queues.find(lane, numbers, variables);
          numbers.forEach((to, index) => {
            const job = jobs[index];
            if (job === undefined) return;
            const { line, channel } = job.data;
            found.set(to, { line, channel, senderId: job.senderId, queuedAt: job.queuedAt, attempts: job.attempts });
          });
        }),
      );
      return found;
    },
    close: () => queues.close(),
  };
}

/**
 * The rows of a campaign's report, one per recipient in the ledger, streamed a page at a time. A settled or
 * cancelled recipient's row comes from its ledger state, detail and receipt; a pending one's line, channel and
 * sender from its job, which still exists while it waits (queued, delayed by its sending window, or in flight).
 */
export async function* readReportRows(
  connection: RedisClient,
  keys: Keys,
  record: CampaignRecord,
): AsyncGenerator<ReportRow> {
  const jobs = openPendingJobs(connection, keys, record);
  try {
    for await (const page of readRecipientPages(connection, keys, record.spec.name)) {
      const pending = await jobs.of(page);
      for (const item of page) yield formatReportRow(item, pending.get(item.entry.to));
    }
  } finally {
    await jobs.close();
  }
}
