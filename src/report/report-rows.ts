import { senderId } from '../domain/sender.js';
import { parseMessageTemplates } from '../domain/template.js';
import type { CampaignRecord } from '../queue/campaign-store.js';
import type { RedisClient } from '../queue/redis-connection.js';
import type { Keys } from '../store/keys.js';
import { SendQueues } from '../store/send-queues.js';
import { readRecipientPages, type RecipientRecord } from './ledger-pages.js';
import { formatReportRow, type PendingJob, type ReportRow } from './report-row.js';

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
  const { spec } = record;
  const parsed = parseMessageTemplates(spec.templates);
  const variables = parsed.ok ? [...parsed.templates.variables] : [];
  const senders = spec.senders.map((entry) => senderId(entry.sender));
  const queues = new SendQueues(connection, keys, spec.name);
  const pendingJob = async ({ entry }: RecipientRecord): Promise<PendingJob | undefined> => {
    // An in-flight mark does not name the sender; a campaign has a handful of queues, so each is asked.
    const candidates = entry.state === 'queued' ? [entry.senderId] : senders;
    for (const id of candidates) {
      const found = await queues.find(id, entry.to, variables);
      if (found === undefined) continue;
      const { line, channel } = found.data;
      return { line, channel, senderId: id, queuedAt: found.queuedAt, attempts: found.attempts };
    }
    return undefined;
  };
  try {
    for await (const page of readRecipientPages(connection, keys, spec.name)) {
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
    await queues.close();
  }
}
