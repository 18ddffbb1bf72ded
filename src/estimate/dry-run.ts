import type { CampaignSpec } from '../domain/campaign.js';
import type { MessageContent } from '../domain/channel.js';
import { countryOf, parsePhone } from '../domain/e164.js';
import { senderAddress, senderId, senderMps } from '../domain/sender.js';
import { type CountryHint, CountryTally } from '../ingest/country-hint.js';
import type { CsvFormat } from '../ingest/csv-format.js';
import { planRow } from '../ingest/plan-row.js';
import { openCsv } from '../ingest/read-csv.js';
import { prepareRowContext } from '../ingest/row-context.js';
import { IngestError } from '../ingest/run-ingest.js';
import { type CostEstimate, estimateCost } from './estimate-cost.js';
import { estimateDuration, type SenderDuration } from './estimate-duration.js';
import { addToTally, emptyTally, type PlanTally } from './plan-tally.js';
import type { PriceTable } from './price-table.js';

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
  tally: PlanTally;
  cost: CostEstimate;
  duration: { seconds: number; senders: (SenderDuration & { address: string })[] };
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
  /** `--encoding` and `--delimiter`; found from the file when unset. */
  format?: CsvFormat;
}

/**
 * Reads and checks a whole recipient file as `herald send` would, without Redis: every row is validated and
 * rendered by the same planRow, bad rows are reported with their line and reason, and the messages that would be
 * sent are tallied by channel, country and sender for the cost and duration estimates. Numbers are remembered to
 * find repeats as the ledger would (one entry per recipient, so memory grows with the file: ~100 bytes a number).
 * What only Redis knows is not checked: opt-outs recorded by earlier campaigns, and recipients a previous run of
 * this campaign already queued.
 */
export async function dryRun(options: DryRunOptions): Promise<DryRunResult> {
  const csv = await openCsv(options.file, options.format).catch((error: unknown) => {
    throw new IngestError(error instanceof Error ? error.message : String(error));
  });
  const prepared = prepareRowContext(options.spec, csv.columns);
  if (!prepared.ok) throw new IngestError(prepared.reason);
  const tally = emptyTally();
  const seen = new Map<string, string>();
  const samples: SampleMessage[] = [];
  const addresses = new Map(options.spec.senders.map((entry) => [senderId(entry.sender), entry]));
  let rows = 0;
  let messages = 0;
  let repeated = 0;
  let rejected = 0;
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
      reject(plan.line, plan.reason);
      continue;
    }
    const { job, content } = plan;
    const earlier = seen.get(job.to);
    if (earlier !== undefined) {
      if (earlier === plan.senderId) repeated += 1;
      else reject(job.line, 'recipient already in this campaign on another channel');
      continue;
    }
    seen.set(job.to, plan.senderId);
    messages += 1;
    for (const [variable, value] of Object.entries(job.vars))
      if (value === '') empty.set(variable, (empty.get(variable) ?? 0) + 1);
    addToTally(tally, { content, country: countryOf(job.to), senderId: plan.senderId, paceCost: job.segments });
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
  return {
    rows,
    messages,
    repeated,
    rejected,
    tally,
    cost: estimateCost(tally.byCountry, options.prices),
    duration: {
      seconds: duration.seconds,
      senders: duration.senders.map((sender) => {
        const entry = addresses.get(sender.senderId);
        return { ...sender, address: entry === undefined ? sender.senderId : senderAddress(entry.sender) };
      }),
    },
    samples,
    emptyVariables: [...empty].map(([variable, rows]) => ({
      variable,
      rows,
      fallback: prepared.context.templates.fallbacks.get(variable),
    })),
    countryHint: countries.hint(),
  };
}
