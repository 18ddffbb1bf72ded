import type { CampaignSpec } from '../domain/campaign.js';
import type { MessageContent } from '../domain/channel.js';
import { assignSender, type SenderPool } from '../domain/assign-sender.js';
import type { Channel } from '../domain/channel.js';
import { countryOf, type E164, parsePhone } from '../domain/e164.js';
import { timeZonesOf } from '../domain/number-time-zones.js';
import { DEFAULT_PACING } from '../domain/pacing.js';
import { senderAddress, senderId, senderMps } from '../domain/sender.js';
import { type CountryHint, CountryTally } from '../ingest/country-hint.js';
import type { CsvFormat } from '../ingest/csv-format.js';
import { planRow } from '../ingest/plan-row.js';
import { openCsv } from '../ingest/read-csv.js';
import { prepareRowContext } from '../ingest/row-context.js';
import { IngestError } from '../ingest/run-ingest.js';
import { IntegerTagMap } from '../lib/integer-tag-map.js';
import { type CostEstimate, estimateCost } from './estimate-cost.js';
import { estimateDuration, type SenderDuration } from './estimate-duration.js';
import { addToTally, emptyTally, type PlanTally } from './plan-tally.js';
import type { PriceTable } from './price-table.js';
import { estimateWindowFinish, type ZoneGroup } from './window-finish.js';

/** A message as it would be sent, for the operator to read before sending. */
export interface SampleMessage {
  line: number;
  to: string;
  from: string;
  content: MessageContent;
}

export interface DryRunResult {
  rows: number;
  /** Recipients that would be queued. */
  messages: number;
  /** Rows repeating a number already planned on the same sender: sent once, as a real run would. */
  repeated: number;
  rejected: number;
  /** Of the rejected, rows refused for want of consent (`--consent-column`). */
  withoutConsent: number;
  tally: PlanTally;
  cost: CostEstimate;
  duration: { seconds: number; senders: (SenderDuration & { address: string })[] };
  /**
   * When sending would start (`--send-at`, else now) and end, ms since the epoch: with a sending window, each
   * recipient is sent to only in their window's hours, so the end can be days after the start; undefined when some
   * recipient's window never opens in the year ahead.
   */
  schedule: { startAt: number; finishAt: number | undefined; scheduled: boolean };
  samples: SampleMessage[];
  /** Per template variable, the rows that would be sent with its cell empty, and its fallback if a tag gives one. */
  emptyVariables: { variable: string; rows: number; fallback: string | undefined }[];
  /** Numbers refused for want of a country code, and the country the others suggest. */
  countryHint: CountryHint | undefined;
}

export interface DryRunOptions {
  file: string;
  spec: CampaignSpec;
  prices: PriceTable;
  /** How many rendered messages to keep as samples. */
  samples: number;
  onRejected?: (line: number, reason: string) => void;
  /** `--send-at`; absent, the estimate starts now. */
  startAt?: Date;
  now?: Date;
  /** `--encoding` and `--delimiter`; found from the file when unset. */
  format?: CsvFormat;
}

/**
 * Reads and checks a whole recipient file as `herald send` would, without Redis: every row is validated and
 * rendered by the same planRow, bad rows are reported with their line and reason, and the messages that would be
 * sent are tallied by channel, country and sender for the cost and duration estimates. Each number is remembered
 * with the channel of its first row, to find repeats exactly as the ledger would (IntegerTagMap: 10 to 12.5 bytes a
 * distinct number, outside the heap; everything else the dry run keeps is bounded). What only Redis knows is not
 * checked: opt-outs recorded by earlier campaigns, and recipients a previous run of this campaign already queued.
 */
export async function dryRun(options: DryRunOptions): Promise<DryRunResult> {
  const csv = await openCsv(options.file, options.format).catch((error: unknown) => {
    throw new IngestError(error instanceof Error ? error.message : String(error));
  });
  const prepared = prepareRowContext(options.spec, csv.columns);
  if (!prepared.ok) throw new IngestError(prepared.reason);
  const tally = emptyTally();
  // Number → the channel of its first row. Its sender follows from the number and the channel (assignSender).
  const seen = new IntegerTagMap();
  const samples: SampleMessage[] = [];
  const addresses = new Map(options.spec.senders.map((entry) => [senderId(entry.sender), entry]));
  // With a window, each sender's recipients grouped by their numbers' zones: a few dozen groups, however big the file.
  const window = options.spec.window;
  const zoneGroups = new Map<string, Map<string, ZoneGroup>>();
  let rows = 0;
  let messages = 0;
  let repeated = 0;
  let rejected = 0;
  let withoutConsent = 0;
  const empty = new Map<string, number>();
  const countries = new CountryTally();
  const { toIndex } = prepared.context;
  const reject = (line: number, reason: string) => {
    rejected += 1;
    options.onRejected?.(line, reason);
  };
  for await (const item of csv.items) {
    rows += 1;
    if (item.kind === 'unreadable') {
      reject(item.line, item.reason);
      continue;
    }
    const raw = item.fields[toIndex];
    const phone = raw === undefined || raw.trim() === '' ? undefined : parsePhone(raw, options.spec.defaultCountry);
    countries.note(phone);
    const plan = planRow(prepared.context, item, phone);
    if (!plan.ok) {
      if (plan.consent === true) withoutConsent += 1;
      reject(plan.line, plan.reason);
      continue;
    }
    const { job, content } = plan;
    const earlier = CHANNELS[seen.add(Number(job.to.slice(1)), CHANNEL_TAGS[job.channel])];
    if (earlier !== undefined) {
      // As the ledger's claim: the same sender is a repeat, sent once; another is the number on another channel.
      const sender = earlier === job.channel ? plan.senderId : senderOf(prepared.context.pool, earlier, job.to);
      if (sender === plan.senderId) repeated += 1;
      else reject(job.line, 'recipient already in this campaign on another channel');
      continue;
    }
    messages += 1;
    for (const [variable, value] of Object.entries(job.vars))
      if (value === '') empty.set(variable, (empty.get(variable) ?? 0) + 1);
    addToTally(tally, { content, country: countryOf(job.to), senderId: plan.senderId, paceCost: job.segments });
    if (window !== undefined) {
      const zones = timeZonesOf(job.to);
      const groups = zoneGroups.get(plan.senderId) ?? new Map<string, ZoneGroup>();
      zoneGroups.set(plan.senderId, groups);
      const group = groups.get(zones.join('&')) ?? { zones, cost: 0 };
      group.cost += job.segments;
      groups.set(zones.join('&'), group);
    }
    const entry = addresses.get(plan.senderId);
    if (samples.length < options.samples && entry !== undefined) {
      samples.push({ line: job.line, to: job.to, from: senderAddress(entry.sender), content });
    }
  }
  const mpsOf = (id: string) => {
    const entry = addresses.get(id);
    return entry === undefined ? 1 : senderMps(entry.sender, entry.mps);
  };
  const duration = estimateDuration(tally.bySender, mpsOf);
  const startAt = (options.startAt ?? options.now ?? new Date()).getTime();
  const finishes = duration.senders.map((sender) =>
    window === undefined
      ? startAt + sender.seconds * 1000
      : estimateWindowFinish(
          [...(zoneGroups.get(sender.senderId)?.values() ?? [])],
          sender.mps * (1 - DEFAULT_PACING.headroom),
          window,
          startAt,
        ),
  );
  const finishAt = finishes.some((at) => at === undefined)
    ? undefined
    : Math.max(startAt, ...finishes.map((at) => at ?? startAt));
  return {
    rows,
    messages,
    repeated,
    rejected,
    withoutConsent,
    tally,
    cost: estimateCost(tally.byCountry, options.prices),
    duration: {
      seconds: duration.seconds,
      senders: duration.senders.map((sender) => {
        const entry = addresses.get(sender.senderId);
        return { ...sender, address: entry === undefined ? sender.senderId : senderAddress(entry.sender) };
      }),
    },
    schedule: { startAt, finishAt, scheduled: options.startAt !== undefined },
    samples,
    emptyVariables: [...empty].map(([variable, rows]) => ({
      variable,
      rows,
      fallback: prepared.context.templates.fallbacks.get(variable),
    })),
    countryHint: countries.hint(),
  };
}

/** Tags of the channels in the seen map (0 is "not seen"). */
const CHANNEL_TAGS = { sms: 1, mms: 2, whatsapp: 3 } as const satisfies Record<Channel, number>;
const CHANNELS: readonly (Channel | undefined)[] = [undefined, 'sms', 'mms', 'whatsapp'];

function senderOf(pool: SenderPool, channel: Channel, to: E164): string | undefined {
  const assigned = assignSender(pool, channel, to);
  return assigned.ok ? assigned.senderId : undefined;
}
