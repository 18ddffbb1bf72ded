import type { CampaignSpec } from '../domain/campaign.js';
import type { CsvFormat } from '../ingest/csv-format.js';
import type { MessageContent } from '../domain/channel.js';
import type { E164 } from '../domain/e164.js';
import { type Sender, senderAddress, senderId } from '../domain/sender.js';
import { planRow } from '../ingest/plan-row.js';
import { openCsv } from '../ingest/read-csv.js';
import { prepareRowContext } from '../ingest/row-context.js';
import { IngestError } from '../ingest/run-ingest.js';
import { contentLines } from '../estimate/format-dry-run.js';
import { describeError } from '../observe/logger.js';
import { buildCreateParams } from '../send/build-create-params.js';
import type { TwilioClient } from '../send/twilio-client.js';

/** A rendered message of the file, as the campaign would send it to its recipient. */
export interface FileMessage {
  line: number;
  recipient: E164;
  sender: Sender;
  content: MessageContent;
}

/**
 * The first `count` messages of the file, rendered exactly as the campaign would render them (the same row checks as
 * the ingest), reading no further than it needs to; rows refused before them are handed to `onRejected`.
 */
export async function readFirstMessages(
  file: string,
  format: CsvFormat,
  spec: CampaignSpec,
  count: number,
  onRejected: (line: number, reason: string) => void,
): Promise<FileMessage[]> {
  const csv = await openCsv(file, format).catch((error: unknown) => {
    throw new IngestError(error instanceof Error ? error.message : String(error));
  });
  const prepared = prepareRowContext(spec, csv.columns);
  if (!prepared.ok) throw new IngestError(prepared.reason);
  const senders = new Map(spec.senders.map((entry) => [senderId(entry.sender), entry.sender]));
  const messages: FileMessage[] = [];
  for await (const item of csv.items) {
    if (messages.length >= count) break;
    if (item.kind === 'unreadable') {
      onRejected(item.line, item.reason);
      continue;
    }
    const plan = planRow(prepared.context, item);
    const sender = plan.ok ? senders.get(plan.senderId) : undefined;
    if (!plan.ok) onRejected(plan.line, plan.reason);
    else if (sender !== undefined) {
      messages.push({ line: plan.job.line, recipient: plan.job.to, sender, content: plan.content });
    }
  }
  return messages;
}

export type TestOutcome = { to: E164; message: FileMessage } & (
  { sent: true; sid: string } | { sent: false; reason: string }
);

/**
 * Sends each message to a staff number instead of its recipient (the first message to the first number, and so
 * on), from the sender the recipient would get it from, one at a time, straight through Twilio's API: no queue, no
 * ledger, no campaign, so the campaign's real run is untouched.
 */
export async function sendTestMessages(
  client: TwilioClient,
  messages: readonly FileMessage[],
  staff: readonly E164[],
): Promise<TestOutcome[]> {
  const outcomes: TestOutcome[] = [];
  for (const [index, message] of messages.entries()) {
    const to = staff[index % staff.length]!;
    try {
      const created = await client.messages.create(buildCreateParams(message.sender, to, message.content));
      outcomes.push({ to, message, sent: true, sid: created.sid });
    } catch (error) {
      const { code, message: text } = error as { code?: unknown; message?: unknown };
      const reason =
        typeof code === 'number' && typeof text === 'string' ? `${code} ${text}` : describeError(error).message;
      outcomes.push({ to, message, sent: false, reason });
    }
  }
  return outcomes;
}

/** What `herald send --test-to` prints: each message, where it went instead, and what Twilio answered. Pure. */
export function formatTestSend(campaign: string, outcomes: readonly TestOutcome[]): string {
  const lines = [`test send of campaign ${campaign}: nothing was queued; the campaign is untouched`];
  if (outcomes.length === 0) lines.push('  no row of the file can be sent (each is listed above with its line)');
  for (const { to, message, ...result } of outcomes) {
    const head =
      `  line ${message.line} → ${to} (in place of ${message.recipient}) from ${senderAddress(message.sender)}, ` +
      `${message.content.channel}: `;
    lines.push(head + (result.sent ? `sent ${result.sid}` : `failed: ${result.reason}`));
    for (const text of contentLines(message.content)) lines.push(`      ${text}`);
  }
  return `${lines.join('\n')}\n`;
}
