import { legalHoldAt, usHoursOf } from '../compliance/legal-hold.js';
import { legalClosingAt, nextLegalInstant, type RecipientHours } from '../compliance/quiet-hours.js';
import type { CampaignSpec } from '../domain/campaign.js';
import type { MessageContent } from '../domain/channel.js';
import { assignSender, type SenderPool } from '../domain/assign-sender.js';
import type { Channel } from '../domain/channel.js';
import { countryOf, type E164, parsePhone } from '../domain/e164.js';
import { timeZonesOf } from '../domain/number-time-zones.js';
import { chainOf, NO_GROUPS, type RateGroups, settingsOf, withSettings } from '../domain/rate-group.js';
import { senderAddress, senderId } from '../domain/sender.js';
import { type CountryHint, CountryTally } from '../ingest/country-hint.js';
import type { CsvFormat } from '../ingest/csv-format.js';
import { planRow } from '../ingest/plan-row.js';
import { openCsv } from '../ingest/read-csv.js';
import { prepareRowContext } from '../ingest/row-context.js';
import { IngestError } from '../ingest/run-ingest.js';
import { IntegerTagMap } from '../lib/integer-tag-map.js';
import { type CostEstimate, estimateCost } from './estimate-cost.js';
import { type CapEstimate, type CapUsage, estimateDuration, type SenderDuration } from './estimate-duration.js';
import { addToTally, emptyTally, type PlanTally } from './plan-tally.js';
import type { PriceTable } from './price-table.js';
import { bothHours, estimateHoursFinish, type HoursGroup, type OpenHours, windowHours } from './window-finish.js';

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
  /**
   * Of the messages, those whose recipient US law keeps from being texted at the start (undefined: the campaign is
   * transactional, so the law's hours do not apply); they wait for their next legal minute.
   */
  outsideLegalHours: number | undefined;
  /** Of the messages, numbers on the opt-out list, which `herald send` would refuse (undefined: Redis not read). */
  optedOut: number | undefined;
  tally: PlanTally;
  cost: CostEstimate;
  /** At the limits in force; `seconds` with the daily caps' waits, `pacedSeconds` without them. */
  duration: {
    seconds: number;
    pacedSeconds: number;
    senders: (SenderDuration & { address: string })[];
    caps: CapEstimate[];
  };
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
  /** The rate groups in force (read from Redis when it answers); absent, every sender at its own limit. */
  groups?: RateGroups;
  /** Each capped group's count today, as Redis holds it; absent, nothing used yet. */
  usageOf?: (group: string) => CapUsage;
  /** Which numbers are on the opt-out list, a chunk at a time (Redis's); absent, opt-outs are not counted. */
  optedOut?: (numbers: readonly E164[]) => Promise<readonly boolean[]>;
}

/** Numbers asked about the opt-out list per round trip. */
const OPT_OUT_CHUNK = 1000;

/**
 * Reads and checks a whole recipient file as `herald send` would, without Redis: every row is validated and
 * rendered by the same planRow, bad rows are reported with their line and reason, and the messages that would be
 * sent are tallied by channel, country and sender for the cost and duration estimates. Each number is remembered
 * with the channel of its first row, to find repeats exactly as the ledger would (IntegerTagMap: 10 to 12.5 bytes a
 * distinct number, outside the heap; everything else the dry run keeps is bounded). What only Redis knows is not
 * checked: recipients a previous run of this campaign already queued; the opt-out list only when `optedOut` is given.
 * Unless the campaign is transactional, each recipient is sent to only within their legal hours (US quiet hours,
 * src/compliance/), and a window narrows them further; the finish is estimated with both.
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
  // With hours (a window, the law's), each sender's recipients grouped by their numbers' zones and rules: a few
  // dozen groups, however big the file.
  const window = options.spec.window;
  const lawful = options.spec.transactional !== true;
  const startAt = (options.startAt ?? options.now ?? new Date()).getTime();
  const hoursGroups = new Map<string, Map<string, HoursGroup>>();
  let outsideLegalHours = 0;
  const outsideByKey = new Map<string, boolean>();
  let optedOut = 0;
  let unasked: E164[] = [];
  const askOptOuts = async () => {
    if (options.optedOut === undefined || unasked.length === 0) return;
    optedOut += (await options.optedOut(unasked)).filter(Boolean).length;
    unasked = [];
  };
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
    const legal = lawful ? usHoursOf(job.to) : undefined;
    // Every recipient of a campaign with hours joins a group, those open at any hour (outside the US) in their own.
    if (window !== undefined || lawful) {
      const zones = timeZonesOf(job.to);
      const key = `${zones.join('&')}|${legal === undefined ? '' : legal.rules.map((rule) => rule.id).join('&')}`;
      if (legal !== undefined) {
        // Numbers of the same zones and rules are open alike: judged once per kind, not per row.
        let outside = outsideByKey.get(key);
        if (outside === undefined) {
          outside = legalHoldAt(job.to, startAt) !== undefined;
          outsideByKey.set(key, outside);
        }
        if (outside) outsideLegalHours += 1;
      }
      const groups = hoursGroups.get(plan.senderId) ?? new Map<string, HoursGroup>();
      hoursGroups.set(plan.senderId, groups);
      const group = groups.get(key) ?? { hours: hoursOfGroup(window, zones, legal, startAt), cost: 0 };
      group.cost += job.segments;
      groups.set(key, group);
    }
    unasked.push(job.to);
    if (unasked.length >= OPT_OUT_CHUNK) await askOptOuts();
    const entry = addresses.get(plan.senderId);
    if (samples.length < options.samples && entry !== undefined) {
      samples.push({ line: job.line, to: job.to, from: senderAddress(entry.sender), content });
    }
  }
  await askOptOuts();
  // The campaign's own --mps and group settings on top of the stored groups, as `herald send` would store them.
  const groups = withSettings(options.groups ?? NO_GROUPS, settingsOf(options.spec.senders));
  const chainFor = (id: string) => {
    const entry = addresses.get(id);
    if (entry === undefined) throw new Error(`sender ${id} is not one of the campaign's`);
    return chainOf(groups, entry.sender);
  };
  const usageOf = (link: { label: string }) => options.usageOf?.(link.label) ?? { used: 0 };
  const duration = estimateDuration(tally.bySender, chainFor, usageOf, startAt);
  // Without hours, the limits (a pool its numbers share, a daily cap's waits) decide; with them, each sender's
  // recipients' hours too, at the sender's tightest limit.
  const finishes = duration.senders.map((sender) =>
    hoursGroups.has(sender.senderId)
      ? estimateHoursFinish([...(hoursGroups.get(sender.senderId)?.values() ?? [])], sender.mps, startAt)
      : startAt + duration.seconds * 1000,
  );
  const finishAt = finishes.some((at) => at === undefined)
    ? undefined
    : Math.max(startAt + duration.seconds * 1000, ...finishes.map((at) => at ?? startAt));
  return {
    rows,
    messages,
    repeated,
    rejected,
    withoutConsent,
    outsideLegalHours: lawful ? outsideLegalHours : undefined,
    optedOut: options.optedOut === undefined ? undefined : optedOut,
    tally,
    cost: estimateCost(tally.byCountry, options.prices),
    duration: {
      seconds: duration.seconds,
      pacedSeconds: duration.pacedSeconds,
      caps: duration.caps,
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

/** A group's hours: the window's in its zones, the law's, or both. */
function hoursOfGroup(
  window: CampaignSpec['window'],
  zones: readonly string[],
  legal: RecipientHours | undefined,
  at: number,
): OpenHours {
  const law: OpenHours | undefined =
    legal === undefined
      ? undefined
      : {
          openingAt: (t) => nextLegalInstant(legal, new Date(t)).getTime(),
          closingAt: (t) => legalClosingAt(legal, new Date(t)).getTime(),
        };
  const byWindow = window === undefined ? undefined : windowHours(window, zones, at);
  if (law !== undefined && byWindow !== undefined) return bothHours(byWindow, law);
  return law ?? byWindow ?? { openingAt: (t) => t, closingAt: () => Number.POSITIVE_INFINITY };
}
