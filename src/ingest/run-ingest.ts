import { basename } from 'node:path';

import type { RedisClient } from '../redis/redis-connection.js';

import type { CampaignName, CampaignSpec } from '../domain/campaign.js';
import type { Channel } from '../domain/channel.js';
import type { CampaignStore } from '../queue/campaign-store.js';
import { CampaignEnqueuer, type PlannedSend } from '../queue/enqueue.js';
import type { Keys } from '../store/keys.js';
import type { Ledger } from '../store/ledger.js';
import { OptOutList } from '../compliance/opt-out-list.js';
import { checkPhonesAhead } from './checked-rows.js';
import { type CountryHint, CountryTally } from './country-hint.js';
import type { CsvFormat } from './csv-format.js';
import { FileOrder } from './file-order.js';
import { PhoneChecker } from './phone-checker.js';
import { planRow } from './plan-row.js';
import { IngestLease } from './ingest-lease.js';
import { IngestError } from './ingest-error.js';
import { openIngest } from './open-ingest.js';
import { RejectedReportError } from './rejected-report.js';

export { IngestError };

export interface IngestDeps {
  connection: RedisClient;
  keys: Keys;
  store: CampaignStore;
  ledger: Ledger;
}

export interface IngestOptions {
  file: string;
  spec: CampaignSpec;
  rejectedPath: string;
  /** Jobs per addBulk round trip. */
  chunkSize: number;
  onRejected?: (line: number, reason: string) => void;
  onProgress?: (progress: IngestProgress) => void;
  /** Start sending at this time (`herald send --send-at`) instead of at once. */
  startAt?: Date;
  /** `--encoding` and `--delimiter`; found from the file when unset. */
  format?: CsvFormat;
}

export interface IngestProgress {
  rows: number;
  queued: number;
  rejected: number;
  /** Bytes of the file read so far, against `fileBytes`, for a progress bar. */
  bytesRead?: number;
}

export interface IngestSummary extends IngestProgress {
  alreadyInCampaign: number;
  /** Newly queued recipients per channel and per sender. */
  byChannel: Partial<Record<Channel, number>>;
  bySender: Record<string, number>;
  /** SMS segments of the newly queued SMS messages (Twilio bills and paces SMS per segment). */
  smsSegments: number;
  rejectedPath: string | undefined;
  /** True when every recipient was already settled by the time the file was read. */
  finished: boolean;
  /** When a scheduled campaign starts sending (ISO); absent when it sends at once. */
  startAt?: string;
  /** Numbers refused for want of a country code, and the country the others suggest. */
  countryHint?: CountryHint;
}

/**
 * Chunks in flight at once: while Redis runs the claims and addBulks of earlier chunks the producer parses and
 * validates the next. Four keeps Redis busy when it shares a host's cores with the producer (two left both waiting
 * on each other a third of the time); each chunk holds `chunkSize` small jobs, so memory barely moves.
 */
const CHUNKS_IN_FLIGHT = 4;

/**
 * Streams a recipient CSV into the campaign's queues in constant memory: each row is validated (a bad one is
 * reported with its line and reason and never stops the rest), claimed in the ledger and added in chunks.
 */
export async function runIngest(deps: IngestDeps, options: IngestOptions): Promise<IngestSummary> {
  const { csv, context, report, record } = await openIngest(deps, options);
  const file = basename(options.file);
  const lease = await IngestLease.take(deps.connection, deps.keys, options.spec.name, file);
  // A re-run without --send-at keeps the schedule the campaign was created with.
  const startAt = record.state === 'scheduled' && record.startAt !== undefined ? Date.parse(record.startAt) : undefined;
  const enqueuer = new CampaignEnqueuer(
    deps.connection,
    deps.keys,
    deps.ledger,
    record.spec,
    context.templates.variables,
    startAt,
  );
  const summary: IngestSummary = {
    rows: 0,
    queued: 0,
    rejected: 0,
    alreadyInCampaign: 0,
    byChannel: {},
    bySender: {},
    smsSegments: 0,
    rejectedPath: undefined,
    finished: false,
  };
  // The report lists refused rows in file order, although a chunk's opt-outs and cross-channel duplicates are known
  // only once it has been to Redis, after later rows were read (and perhaps refused): see file-order.ts.
  const order = new FileOrder<{ line: number; reason: string; fields: readonly string[] }>();
  let written: Promise<void> = Promise.resolve();
  const writeReleased = (): Promise<void> => {
    const refused = order.release();
    if (refused.length > 0) {
      written = written.then(async () => {
        for (const row of refused) await report.add(row.line, row.reason, row.fields);
      });
    }
    return written;
  };
  const reject = async (line: number, reason: string, fields: readonly string[]) => {
    summary.rejected += 1;
    options.onRejected?.(line, reason);
    order.add(line, { line, reason, fields });
    await writeReleased();
  };

  const pending = new Set<Promise<void>>();
  const optOuts = new OptOutList(deps.connection, deps.keys);
  const flush = async (planned: PlannedSend[], close: () => void) => {
    try {
      await queueChunk(planned);
    } finally {
      close();
    }
    await writeReleased();
  };
  const queueChunk = async (planned: PlannedSend[]) => {
    const optedOut = await optOuts.whichOptedOut(planned.map(({ job }) => job.to));
    const batch: PlannedSend[] = [];
    for (let index = 0; index < planned.length; index++) {
      const send = planned[index]!;
      if (!optedOut[index]) batch.push(send);
      else await reject(send.job.line, 'recipient opted out (replied STOP to an earlier message)', send.fields);
    }
    const result = await enqueuer.enqueue(batch);
    summary.queued += result.queued;
    summary.alreadyInCampaign += result.alreadyInCampaign;
    for (const taken of result.taken) {
      await reject(taken.job.line, 'recipient already in this campaign on another channel', taken.fields);
    }
    for (let index = 0; index < batch.length; index++) {
      if (result.claims[index] !== 'new') continue;
      const { job, senderId } = batch[index]!;
      summary.byChannel[job.channel] = (summary.byChannel[job.channel] ?? 0) + 1;
      summary.bySender[senderId] = (summary.bySender[senderId] ?? 0) + 1;
      if (job.channel === 'sms') summary.smsSegments += job.segments;
    }
    options.onProgress?.({
      rows: summary.rows,
      queued: summary.queued,
      rejected: summary.rejected,
      bytesRead: csv.bytesRead(),
    });
  };
  // The first chunk that failed (Redis, or the rejected file): the file is read no further.
  let failure: { error: unknown } | undefined;
  const submit = async (batch: PlannedSend[], close: () => void) => {
    const task = flush(batch, close).finally(() => pending.delete(task));
    task.catch((error: unknown) => (failure ??= { error }));
    pending.add(task);
    if (pending.size >= CHUNKS_IN_FLIGHT) await Promise.race(pending);
  };

  const checker = new PhoneChecker(options.spec.defaultCountry);
  const countries = new CountryTally();
  try {
    let batch: PlannedSend[] = [];
    let closeBatch = (): void => undefined;
    for await (const slice of checkPhonesAhead(csv.batches, context.toIndex, checker)) {
      for (let index = 0; index < slice.items.length; index++) {
        const item = slice.items[index]!;
        const phone = slice.phones[index];
        if (failure !== undefined) throw failure.error;
        summary.rows += 1;
        lease.reached(item.line);
        countries.note(phone);
        if (item.kind === 'unreadable') {
          await reject(item.line, item.reason, []);
          continue;
        }
        const plan = planRow(context, item, phone);
        if (!plan.ok) {
          await reject(plan.line, plan.reason, item.fields);
          continue;
        }
        if (batch.length === 0) closeBatch = order.open(item.line);
        batch.push({ job: plan.job, senderId: plan.senderId, fields: item.fields });
        if (batch.length >= options.chunkSize) {
          await submit(batch, closeBatch);
          batch = [];
        }
      }
    }
    if (batch.length > 0) await submit(batch, closeBatch);
    await Promise.all(pending);
    await written;
    await report.close();
    await deps.store.setRejected(options.spec.name, file, summary.rejected);
    summary.finished = await deps.ledger.finishIngest(options.spec.name);
    await lease.finish();
  } catch (error) {
    await Promise.allSettled(pending);
    await written.catch(() => undefined);
    await report.abandon();
    throw await recordStop(deps, options.spec.name, { file, lease, rejected: summary.rejected }, error);
  } finally {
    await checker.close();
    await enqueuer.close();
  }
  if (summary.finished) await deps.store.deactivateIfFinished(options.spec.name);
  summary.rejectedPath = report.count > 0 ? report.path : undefined;
  const hint = countries.hint();
  if (hint !== undefined) summary.countryHint = hint;
  if (startAt !== undefined) summary.startAt = new Date(startAt).toISOString();
  return summary;
}

/**
 * Records an ingest that ended before the end of its file: the rows refused so far (set again by the next run),
 * and why it stopped, for `herald status`. Returns the error to throw: a failed write of the rejected file becomes
 * one line that says what was done and how to finish.
 */
async function recordStop(
  deps: IngestDeps,
  campaign: CampaignName,
  run: { file: string; lease: IngestLease; rejected: number },
  error: unknown,
): Promise<unknown> {
  const reason = error instanceof Error ? error.message : String(error);
  await Promise.allSettled([deps.store.setRejected(campaign, run.file, run.rejected), run.lease.stop(reason)]);
  if (!(error instanceof RejectedReportError)) return error;
  return new IngestError(
    `${reason}; the ingest stopped before the end of ${run.file} (the rows before were queued): ` +
      'make room or give --rejected another path, and run the same command again to finish the campaign',
  );
}
