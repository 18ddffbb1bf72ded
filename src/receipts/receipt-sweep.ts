import pLimit from 'p-limit';

import type { CampaignName } from '../domain/campaign.js';
import type { FetchedReceiptEvent, SendEvents } from '../observe/send-events.js';
import type { AwaitedReceipt, AwaitingReceipts } from './awaiting-receipts.js';
import { parseStatusCallback } from './parse-callback.js';
import type { ReceiptStore } from './receipt-store.js';
import { isFinalStep, statusStep } from './status-order.js';

/** What the sweep needs to know of a message, as Twilio's Messages API gives it. */
export interface FetchedMessage {
  status: string;
  /** With `whatsapp:` for WhatsApp. */
  to: string;
  errorCode: number | null;
  dateCreated: Date;
}

export interface SweepDeps {
  awaiting: AwaitingReceipts;
  receipts: ReceiptStore;
  /** The SID of the recipient's message when the ledger says it was sent, else undefined. */
  sentSid(campaign: CampaignName, to: string): Promise<string | undefined>;
  /** Twilio's message resource; rejects with `status: 404` when there is no such message. */
  fetchMessage(sid: string): Promise<FetchedMessage>;
  events: SendEvents;
  /** How long after a send its status is fetched if no final callback came. */
  fetchAfterMs: number;
  now?: () => number;
}

/** Most messages one sweep looks at, and how many fetches it has in flight at once. */
export const SWEEP_LIMIT = 1000;
const FETCH_CONCURRENCY = 10;

/**
 * A message Twilio still has in flight this long after it was created gets no more fetches: some carriers never
 * confirm delivery, and Twilio's `sent` is then final.
 */
export const GIVE_UP_AFTER_MS = 72 * 3600_000;

/**
 * How often a worker sweeps: a quarter of the wait, so a due message waits at most that much longer, between 200 ms
 * (tests) and a minute.
 */
export function sweepIntervalMs(fetchAfterMs: number): number {
  return Math.min(60_000, Math.max(200, Math.floor(fetchAfterMs / 4)));
}

/**
 * Fetches from Twilio the status of each sent message whose final receipt is overdue (its callbacks were lost, e.g.
 * answered 503 while Redis was away, or never sent), at most SWEEP_LIMIT per call, and records it as the callback
 * would have been (parse-callback.ts, ReceiptStore). A message still in flight is asked about again later, less
 * often as it ages, until GIVE_UP_AFTER_MS. Returns how many messages it looked at.
 */
export async function sweepReceipts(deps: SweepDeps): Promise<number> {
  const now = (deps.now ?? Date.now)();
  const due = await deps.awaiting.due(now, SWEEP_LIMIT);
  const limit = pLimit(FETCH_CONCURRENCY);
  await Promise.all(due.map((item) => limit(() => settleOne(deps, item, now))));
  return due.length;
}

async function settleOne(deps: SweepDeps, item: AwaitedReceipt, now: number): Promise<void> {
  const { campaign, to } = item;
  const sid = await deps.sentSid(campaign, to);
  const stored = sid === undefined ? undefined : await deps.receipts.get(campaign, to);
  const storedStep = stored?.sid === sid ? statusStep(stored?.status ?? '') : undefined;
  // Nothing was sent (any longer), or a final receipt came by another way: nothing to wait for.
  if (sid === undefined || (storedStep !== undefined && isFinalStep(storedStep))) return deps.awaiting.end(item);

  const report = (event: Omit<FetchedReceiptEvent, 'campaign' | 'sid'>) =>
    deps.events.emit('receipt:fetched', { campaign, sid, ...event });
  let message: FetchedMessage;
  try {
    message = await deps.fetchMessage(sid);
  } catch (error) {
    if ((error as { status?: unknown }).status === 404) {
      report({ result: 'gone' });
      return deps.awaiting.end(item);
    }
    // Left due: the next sweep asks again.
    return report({ result: 'failed', reason: error instanceof Error ? error.message : String(error) });
  }
  const step = statusStep(message.status);
  const age = now - message.dateCreated.getTime();
  const final = step !== undefined && isFinalStep(step);
  if (final || age >= GIVE_UP_AFTER_MS) {
    const form = {
      MessageSid: sid,
      MessageStatus: message.status,
      To: message.to,
      ...(message.errorCode === null ? {} : { ErrorCode: String(message.errorCode) }),
    };
    const parsed = parseStatusCallback(campaign, form);
    if (!parsed.ok) {
      // Asking again would only get the same answer.
      report({ result: 'failed', status: message.status, reason: parsed.reason });
      return deps.awaiting.end(item);
    }
    const result = await deps.receipts.record(parsed.receipt);
    report({ result, status: message.status });
    // A final status ended the wait as it was recorded; one given up on ends it here.
    if (!final) await deps.awaiting.end(item);
    return;
  }
  report({ result: 'not-final', status: message.status });
  // Less often as it ages: after half its age again, so a message silent for days costs a few fetches.
  await deps.awaiting.postpone(item, now + Math.max(deps.fetchAfterMs, Math.floor(age / 2)));
}

export interface SweepSchedule {
  /** Whether this process is the one that sweeps now (the exporter lease: one worker of the installation). */
  elected: () => Promise<boolean>;
  onError: (error: unknown) => void;
}

/** Sweeps every sweepIntervalMs while this process is elected, one sweep at a time; stop() waits for the last. */
export function startReceiptSweeps(deps: SweepDeps, schedule: SweepSchedule): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const tick = () => {
    current = (async () => {
      if (await schedule.elected()) await sweepReceipts(deps);
    })()
      .catch(schedule.onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, sweepIntervalMs(deps.fetchAfterMs)).unref();
      });
  };
  timer = setTimeout(tick, sweepIntervalMs(deps.fetchAfterMs)).unref();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
