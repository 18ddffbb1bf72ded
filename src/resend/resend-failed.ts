import pLimit from 'p-limit';

import type { SenderEntry } from '../domain/campaign.js';
import { paceCost } from '../domain/channel.js';
import { composeMessage } from '../domain/compose-message.js';
import { countryOf, parsePhone } from '../domain/e164.js';
import { senderId } from '../domain/sender.js';
import { parseMessageTemplates } from '../domain/template.js';
import { HeraldError } from '../lib/herald-error.js';
import type { CampaignRecord, CampaignStore } from '../queue/campaign-store.js';
import type { RedisClient } from '../redis/redis-connection.js';
import { readRecipientPages, type RecipientRecord } from '../report/ledger-pages.js';
import { sendJobName, sendJobOptions } from '../store/job-options.js';
import type { Keys } from '../store/keys.js';
import { Ledger } from '../store/ledger.js';
import type { RecipientDetail } from '../store/recipient-detail.js';
import { encodeSendJob, type SendJobData } from '../store/send-job.js';
import { type SendQueue, SendQueues } from '../store/send-queues.js';
import { type Cure, cureForFailure, cureForUndelivered } from '../twilio-errors/curable.js';

/** Recipients handled at once: each is a few round trips (requeue, find the old job, add the new one). */
const IN_FLIGHT = 64;
/** Why a curable recipient is kept when its stored details do not rebuild its message. */
const UNREBUILDABLE = 'its stored details do not rebuild its message';

export interface ResendSummary {
  /** Recipients put back on their queue, by the reason they failed. */
  resent: Record<string, number>;
  /** Failed or undelivered recipients left alone, by the reason that cannot be cured or why they cannot be resent. */
  kept: Record<string, number>;
  /** Requeued by an earlier run that stopped before their job was added: added now. */
  resumed: number;
}

export interface ResendDeps {
  connection: RedisClient;
  keys: Keys;
  store: CampaignStore;
}

/**
 * Queues again the recipients of a campaign whose failure can be cured (curable.ts): each is moved from failed
 * (or sent-but-undelivered) to queued in the ledger with its counters in one Lua step (the ledger's requeue), then its job is rebuilt from
 * the details kept when it settled and added to its sender's queue, and the campaign is handed to the workers
 * again. With `dryRun` nothing changes: the summary says what would be resent.
 *
 * A run that stops between the two steps leaves a queued recipient without a job; the next run finds it (queued,
 * yet with details, which only a settled recipient has) and adds its job, so resending again completes it.
 */
export async function resendFailed(
  deps: ResendDeps,
  record: CampaignRecord,
  options: { dryRun: boolean },
): Promise<ResendSummary> {
  const { connection, keys, store } = deps;
  const { spec } = record;
  if (record.state === 'cancelled') throw new HeraldError(`campaign ${spec.name} was cancelled; nothing is resent`);
  const parsed = parseMessageTemplates(spec.templates);
  if (!parsed.ok) throw new HeraldError(`campaign ${spec.name}'s templates no longer parse: ${parsed.reason}`);
  const senders = new Map<string, SenderEntry>(spec.senders.map((entry) => [senderId(entry.sender), entry]));
  const variables = [...parsed.templates.variables];
  const queues = new SendQueues(connection, keys, spec);
  const ledger = new Ledger(connection, keys);
  const summary: ResendSummary = { resent: {}, kept: {}, resumed: 0 };
  const bump = (tally: Record<string, number>, key: string) => (tally[key] = (tally[key] ?? 0) + 1);

  const rebuild = (to: string, detail: RecipientDetail): SendJobData | undefined => {
    const phone = parsePhone(to);
    const entry = senders.get(detail.senderId);
    if (!phone.ok || entry === undefined) return undefined;
    const composed = composeMessage({
      templates: parsed.templates,
      vars: detail.vars,
      channel: detail.channel,
      country: countryOf(phone.e164),
      sender: entry.sender,
    });
    if (!composed.ok) return undefined;
    const { line, channel, vars } = detail;
    return { line, to: phone.e164, channel, segments: paceCost(composed.content), vars: { ...vars } };
  };

  const handle = async ({ entry, detail, receipt }: RecipientRecord) => {
    if (entry.state === 'queued') {
      if (detail === undefined || options.dryRun) return;
      const job = rebuild(entry.to, detail);
      if (job !== undefined && (await addJob(queues.ofSender(entry.senderId), entry.senderId, job, variables)))
        summary.resumed += 1;
      return;
    }
    let cure: Cure;
    if (entry.state === 'failed') {
      cure = cureForFailure(entry.code);
    } else if (entry.state === 'sent' && receipt !== undefined && ['undelivered', 'failed'].includes(receipt.status)) {
      cure = cureForUndelivered(receipt.code);
    } else {
      return;
    }
    if (!cure.curable) return void bump(summary.kept, cure.reason);
    const job = detail === undefined ? undefined : rebuild(entry.to, detail);
    // Every settled recipient has its details (settle writes them in the same step); damaged ones cannot be resent.
    if (detail === undefined || job === undefined) return void bump(summary.kept, UNREBUILDABLE);
    if (options.dryRun) return void bump(summary.resent, cure.reason);
    if (!(await ledger.requeue(spec.name, entry.to, entry, detail.senderId, job.channel))) return;
    await addJob(queues.ofSender(detail.senderId), detail.senderId, job, variables);
    bump(summary.resent, cure.reason);
  };

  const limit = pLimit(IN_FLIGHT);
  try {
    for await (const page of readRecipientPages(connection, keys, spec.name)) {
      await Promise.all(page.map((item) => limit(() => handle(item))));
    }
  } finally {
    await queues.close();
  }
  const changed = Object.keys(summary.resent).length > 0 || summary.resumed > 0;
  if (changed && !options.dryRun) await store.activate(spec.name);
  return summary;
}

/**
 * Adds a recipient's job again. Its earlier job, kept in the failed set for a while (job-options.ts), holds the
 * job id and would make the add a no-op, so a finished one is removed first; one still waiting is left as it is.
 * Resolves true when a job was added.
 */
async function addJob(
  queue: SendQueue,
  senderId: string,
  data: SendJobData,
  variables: readonly string[],
): Promise<boolean> {
  const existing = await queue.getJob(data.to);
  if (existing !== undefined) {
    const state = await existing.getState();
    if (state !== 'failed' && state !== 'completed') return false;
    await existing.remove();
  }
  await queue.add(sendJobName(senderId), encodeSendJob(data, variables), sendJobOptions(data.to));
  return true;
}
