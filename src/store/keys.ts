import { createHash } from 'node:crypto';

import type { CampaignName } from '../domain/campaign.js';

/**
 * Every Redis key herald writes, in one place: nothing else builds a key. A campaign's own keys share the hash tag
 * `{name}` so the Lua scripts that touch several of them stay in one Redis Cluster slot; each (campaign, lane)
 * queue takes one of the five SEND_QUEUE_TAGS.
 */
export interface Keys {
  /** BullMQ's `prefix` option. */
  readonly prefix: string;
  /** Hash: the campaign's spec, state, timestamps and ingest progress. */
  campaign(name: CampaignName): string;
  /** Hash: E.164 → the recipient's state (ledger-state.ts). */
  recipients(name: CampaignName): string;
  /** Hash: counters of the campaign (`queued`, `sent:sms`, `failed:mms`, …). */
  counts(name: CampaignName): string;
  /** Hash: source file name → rows of it refused at ingest in its latest run. */
  rejected(name: CampaignName): string;
  /** Hash: E.164 → what `herald report` and `resend-failed` need of a settled recipient (recipient-detail.ts). */
  details(name: CampaignName): string;
  /** Hash: E.164 → the recipient's latest delivery receipt (receipts.ts); beside its ledger. */
  receipts(name: CampaignName): string;
  /**
   * Hash: E.164 → why a queued recipient was last held back by a compliance rule and until when (held-recipients.ts):
   * quiet hours or the frequency cap. Read by the report and status; an entry whose time has passed is no hold.
   */
  held(name: CampaignName): string;
  /** Hash: the latest `herald send` of the campaign: its file, the line reached, and why it stopped (ingest-lease.ts). */
  ingest(name: CampaignName): string;
  /** String with a time to live: present while a `herald send` of the campaign is alive (ingest-lease.ts). */
  ingestLease(name: CampaignName): string;
  /**
   * Hash: the pacing state, daily counts and holds of every link of the rate chains whose broadest link is `tag`
   * (take-capacity-1.lua); the tag is the key's hash tag, so one script reaches a whole chain.
   */
  rateChain(tag: string): string;
  /** SCAN pattern matching every rate chain's hash. */
  readonly rateChainPattern: string;
  /** String: the rate groups as last applied (`herald groups apply`), in the groups file's format. */
  readonly rateGroups: string;
  /** Hash: sender id → its limit and group as `herald send` last set them (`--mps`, a senders file). */
  readonly senderSettings: string;
  /** Hash: field `hold`, why the whole account sends nothing for now (bad credentials); see hold-1.lua. */
  readonly accountHold: string;
  /** Hash: number → why it opted out, installation-wide (see opt-outs.ts). */
  readonly optOuts: string;
  /**
   * Sorted set: the messages counted against one recipient's frequency cap (member: the campaign, score: when), with
   * the number as its own hash tag, so the cap's script touches one slot (frequency-cap.ts); expires by itself.
   */
  frequency(to: string): string;
  /** Hash: number → when it last wrote to a WhatsApp sender, ms (its 24-hour session); installation-wide. */
  readonly whatsappSessions: string;
  /** Sorted set of every campaign by creation time. */
  readonly campaignIndex: string;
  /** Set of campaigns that workers must serve. */
  readonly activeCampaigns: string;
  /** Pub/sub channel on which producers and CLI commands tell workers that something changed. */
  readonly control: string;
  /** String: the lease of the one worker that exports the campaign totals (see exporter-lease.ts); per installation. */
  readonly metricsExporter: string;
  /** Hash: worker id → when that worker last announced itself, and whether it stopped (status/worker-heartbeat.ts). */
  readonly workers: string;
  /** String: held by the one worker deleting expired campaigns (lifecycle/retention.ts) while it does. */
  readonly retentionSweep: string;
  /**
   * Sorted set: `<campaign> <e164>` of each sent message that has no final receipt yet, scored by when its status is
   * next to be fetched from Twilio (see receipts/awaiting-receipts.ts); per installation.
   */
  readonly awaitingReceipts: string;
  /**
   * One of BullMQ's keys of a (campaign, lane) queue (`wait`, `meta`, a job id, …). BullMQ builds these itself;
   * herald names them to read a queued job back (send-queues.ts), to measure, or to check where they land.
   */
  sendQueueKey(name: CampaignName, lane: string, part: string): string;
  /**
   * Sorted set: one worker process's wake key, among the keys its blocking wait for jobs listens on
   * (queue-wakeups.ts); a member added to it makes that wait start again with the queues added since. Expires by
   * itself. On a Redis Cluster the process waits once per send-queue tag, each with a wake key in that tag's slot.
   */
  wakeups(processId: string, sendQueueTag?: SendQueueTag): string;
}

export function makeKeys(prefix: string): Keys {
  return {
    prefix,
    campaign: (name) => `${prefix}:campaign:{${name}}`,
    recipients: (name) => `${prefix}:campaign:{${name}}:recipients`,
    counts: (name) => `${prefix}:campaign:{${name}}:counts`,
    rejected: (name) => `${prefix}:campaign:{${name}}:rejected`,
    details: (name) => `${prefix}:campaign:{${name}}:details`,
    receipts: (name) => `${prefix}:campaign:{${name}}:receipts`,
    held: (name) => `${prefix}:campaign:{${name}}:held`,
    ingest: (name) => `${prefix}:campaign:{${name}}:ingest`,
    ingestLease: (name) => `${prefix}:campaign:{${name}}:ingest-lease`,
    rateChain: (tag) => `${prefix}:rate:{${tag}}`,
    rateChainPattern: `${prefix}:rate:{*}`,
    rateGroups: `${prefix}:rate-groups`,
    senderSettings: `${prefix}:sender-settings`,
    accountHold: `${prefix}:account:hold`,
    campaignIndex: `${prefix}:campaigns`,
    optOuts: `${prefix}:opt-outs`,
    frequency: (to) => `${prefix}:frequency:{${to}}`,
    whatsappSessions: `${prefix}:whatsapp-sessions`,
    activeCampaigns: `${prefix}:campaigns:active`,
    control: `${prefix}:control`,
    metricsExporter: `${prefix}:metrics:exporter`,
    workers: `${prefix}:workers`,
    retentionSweep: `${prefix}:retention:sweep`,
    awaitingReceipts: `${prefix}:receipts:awaiting`,
    sendQueueKey: (name, lane, part) => `${prefix}:${queueNameOf(name, lane)}:${part}`,
    wakeups: (processId, sendQueueTag) =>
      sendQueueTag === undefined
        ? `${prefix}:wakeups:${processId}`
        : `${prefix}:wakeups:{${sendQueueTag}}:${processId}`,
  };
}

/**
 * The hash tags of the send queues. On a Redis Cluster one blocking command can only wait on keys of one slot, and a
 * worker process waits for all of its queues' jobs with one blocking connection per slot they use
 * (queue-wakeups.ts): so the queues share these five tags, and a process holds at most five such connections
 * whatever the number of campaigns and lanes. Their slots are the middles of the five fifths of the slot space
 * (1638, 4915, 8192, 11469, 14746; the strings were searched for them), so the queues spread over up to five masters
 * of a cluster whose masters split the slots evenly, as `redis-cli --cluster create` does.
 */
export const SEND_QUEUE_TAGS = ['send-25948', 'send-28179', 'send-5964', 'send-11214', 'send-7599'] as const;
export type SendQueueTag = (typeof SEND_QUEUE_TAGS)[number];

/**
 * The BullMQ queue of one campaign's messages in one lane (domain/lanes.ts): `{<tag>}<campaign>~<lane>`, its tag
 * picked by a hash of the rest, so a campaign's lanes spread over the tags. `~` cannot occur in either part.
 */
export function queueNameOf(campaign: CampaignName, lane: string): string {
  const name = `${campaign}~${lane}`;
  const hash = createHash('sha1').update(name).digest().readUInt32BE(0);
  return `{${SEND_QUEUE_TAGS[hash % SEND_QUEUE_TAGS.length]!}}${name}`;
}

/** The send-queue tag of one of a send queue's keys (`<prefix>:{<tag>}<campaign>~<lane>:<part>`). */
export function sendQueueTagOf(key: string): SendQueueTag {
  const tag = /\{([^}]*)\}/.exec(key)?.[1];
  if (!(SEND_QUEUE_TAGS as readonly string[]).includes(tag ?? '')) throw new Error(`not a send queue's key: ${key}`);
  return tag as SendQueueTag;
}
