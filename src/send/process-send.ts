import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { LimitFunction } from 'p-limit';

import type { CampaignSpec, SenderEntry } from '../domain/campaign.js';
import { paceCost } from '../domain/channel.js';
import { composeMessage, readsCountry } from '../domain/compose-message.js';
import { countryOf } from '../domain/e164.js';
import { senderAddress, senderId as idOf, senderMps } from '../domain/sender.js';
import type { ParsedTemplates } from '../domain/template.js';
import type { SendAttempt, SendEvents } from '../observe/send-events.js';
import type { SenderHold } from '../domain/sender-hold.js';
import type { OptOutList } from '../queue/opt-outs.js';
import type { SenderHolds } from '../queue/sender-holds.js';
import type { SenderPacer } from '../queue/sender-pacer.js';
import { type Clock, LOCAL_CLOCK } from '../queue/redis-clock.js';
import type { Ledger, Settlement } from '../store/ledger.js';
import { encodeDetail, type RecipientDetail } from '../store/recipient-detail.js';
import { decodeSendJob, encodeSendJob, type StoredSendJob } from '../store/send-job.js';
import { buildCreateParams } from './build-create-params.js';
import { type CampaignGate, holdAtGate, holdUntilWindow } from './campaign-gate.js';
import { classifyFailure } from './classify.js';
import { type SendContext, sendInContext } from './dispatch-gate.js';
import { reconcileAttempt } from './reconcile.js';
import type { TwilioClient } from './twilio-client.js';

/** How long a throttled sender waits when Twilio gives no Retry-After. */
const THROTTLE_WAIT_MS = 1000;

/**
 * How often a job of a halted sender looks again whether it was resumed; `herald senders resume` also makes the
 * held jobs due at once, so this only matters to a resume done some other way.
 */
const HALT_RECHECK_MS = 60_000;
/** How soon a lookup that found nothing (or failed) is repeated, within the reconcile patience. */
const RECONCILE_RETRY_MS = 10_000;
/**
 * A reserve that waited this long for its slot reads the holds again before the send; a shorter wait is covered by
 * the reads just before it, as a worker's hold cache (sender-holds.ts) already trusts a clear sender for 250 ms.
 */
const HOLD_RECHECK_AFTER_MS = 50;
/** Spreads the jobs of a sender whose pause ends, so they do not all ask for a slot in the same millisecond. */
const RESUME_SPREAD_MS = 1000;

/** Twilio's code for a recipient who replied STOP. */
const OPTED_OUT = '21610';

/** A transient fault: BullMQ retries the job after the backoff computed from it (see backoff.ts). */
export class RetryableSendError extends Error {
  override name = 'RetryableSendError';
  readonly retryAfterMs: number | undefined;

  constructor(message: string, retryAfterMs?: number) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}

export interface SendDeps {
  ledger: Ledger;
  client: TwilioClient;
  events: SendEvents;
  /** Bounds this process's sends in flight across all queues (and so its sockets). */
  inFlight: LimitFunction;
  /** Spaces each sender's sends at its rate, across every process. */
  pacer: SenderPacer;
  /** Numbers that replied STOP: never texted again. */
  optOuts: OptOutList;
  /** Attempts per recipient for transient faults. */
  attempts: number;
  /** Longest a message may wait on a throttled sender, from when it was first throttled. */
  retryWindowMs: number;
  /** Pause, resume, cancel and scheduled starts, read just before each send. */
  gate: CampaignGate;
  /** Senders (and the account) paused or halted, in every process. */
  holds: SenderHolds;
  /** How long a daily cap (63038) without a Retry-After pauses its sender. */
  dailyCapPauseMs?: number;
  /**
   * How long after an attempt began its lookup is repeated before the recipient is recorded unknown: Twilio may
   * still be processing a request whose answer was lost, or its list may not show the message yet. 0: look once.
   */
  reconcilePatienceMs?: number;
  statusCallback?: string;
  /**
   * The clock of every decision that must agree across processes (a window, a scheduled start, a sender's pause, how
   * long a send has been in flight, a throttle's retry window): Redis's in a worker. This process's own by default.
   */
  clock?: Clock;
}

export interface SendTarget {
  spec: CampaignSpec;
  templates: ParsedTemplates;
  entry: SenderEntry;
}

export type SendResult = { sid: string } | { settled: string } | { unknown: string };

/**
 * Sends one job's message at most once. The ledger is marked before the call and settled after it, so a job
 * that BullMQ delivers again (a killed worker, an expired lock) finds the recipient settled and sends nothing,
 * and one that finds an earlier attempt still marked in flight records `unknown` rather than risk a duplicate.
 */
export function makeSendProcessor(deps: SendDeps, target: SendTarget) {
  const { spec, templates, entry } = target;
  const senderId = idOf(entry.sender);
  const mps = senderMps(entry.sender, entry.mps);
  const variables = [...templates.variables];
  const clock = deps.clock ?? LOCAL_CLOCK;

  return async function processSend(job: Job<StoredSendJob>, token?: string): Promise<SendResult> {
    const data = decodeSendJob(job.data, job.id, variables);
    const { to, channel, line, vars } = data;
    const report = (attempt: Omit<SendAttempt, 'campaign' | 'senderId' | 'channel' | 'jobId' | 'line' | 'cost'>) =>
      deps.events.emit('attempt', {
        campaign: spec.name,
        senderId,
        channel,
        cost: data.segments,
        jobId: job.id ?? '',
        line,
        ...attempt,
      });
    // `called`: whether a create call settles the recipient (this delivery's, or an interrupted earlier one's). The
    // attempts recorded are those HERALD_ATTEMPTS counts: BullMQ's attemptsMade (calls that failed and were retried)
    // and that call; waits for a window, a slot, a hold or a throttled sender use none.
    const detailOf = (called = false): RecipientDetail => ({
      line,
      senderId,
      channel,
      attempts: job.attemptsMade + (called ? 1 : 0),
      queuedAt: job.timestamp,
      settledAt: clock.now(),
      vars,
    });
    const settle = async (settlement: Settlement, called = true) => {
      const { finished } = await deps.ledger.settle(spec.name, to, channel, settlement, encodeDetail(detailOf(called)));
      if (finished) deps.events.emit('campaign:finished', { campaign: spec.name });
    };

    // Reading the country parses the number with libphonenumber, a few percent of a worker's CPU: only when it counts.
    const country = readsCountry(channel) ? countryOf(to) : undefined;
    const composed = composeMessage({ templates, vars, channel, country, sender: entry.sender });
    if (!composed.ok) {
      await settle({ state: 'failed', code: 'invalid-content' }, false);
      report({ outcome: 'failed', code: 'invalid-content', reason: composed.reason });
      throw new UnrecoverableError(composed.reason);
    }

    // A recipient settled by an earlier delivery of this job must not use up one of the sender's slots; on a first
    // delivery nothing but a cancel can have settled it, and the gate below catches that, so only later deliveries
    // read the ledger here. The independent reads go out together: one round trip.
    const [settled, optedOut, accountHold] = await Promise.all([
      job.attemptsStarted > 1 ? deps.ledger.settledState(spec.name, to) : undefined,
      deps.optOuts.has(to),
      deps.holds.accountHoldOf(),
    ]);
    if (settled !== undefined) {
      report({ outcome: 'skipped', reason: `already settled (${settled.state})` });
      return { settled: settled.state };
    }
    // Opted out after this campaign was queued (Twilio would answer 21610): settled without using a slot.
    if (optedOut) {
      await settle({ state: 'failed', code: OPTED_OUT }, false);
      report({ outcome: 'failed', code: OPTED_OUT, reason: 'recipient opted out (replied STOP)' });
      throw new UnrecoverableError(`${OPTED_OUT}: recipient opted out (replied STOP)`);
    }
    if (spec.window !== undefined) await holdUntilWindow(spec.window, to, job, token, clock);
    // A paused or halted sender sends nothing: the job waits in the delayed set, using no attempt, and its
    // recipient stays queued.
    const waitOut = async (hold: SenderHold) => {
      const until =
        hold.state === 'paused'
          ? clock.toLocal(hold.until) + Math.random() * RESUME_SPREAD_MS
          : Date.now() + HALT_RECHECK_MS;
      await job.moveToDelayed(Math.ceil(until), token);
      throw new DelayedError();
    };
    if (accountHold !== undefined) await waitOut(accountHold);
    // The sender's own hold is read in the reserve's script, so held jobs that come back to look do not move the
    // sender's schedule; once a slot that had to be waited for comes, both holds are read again, as a hold put on
    // meanwhile would otherwise let every waiting send hit the same error.
    const cost = paceCost(composed.content);
    const reserved = await deps.pacer.reserve(senderId, cost, mps);
    if (reserved.kind === 'held') await waitOut(reserved.hold);
    else if (reserved.waitedMs >= HOLD_RECHECK_AFTER_MS) {
      const hold = await deps.holds.holdOf(senderId);
      if (hold !== undefined) await waitOut(hold);
    }
    // After the reserve, which may have waited: a pause or cancel that landed meanwhile must still stop this send.
    // The ledger's begin runs in the same script when the gate is open.
    const begun = await holdAtGate(deps.gate, spec.name, to, job, token, detailOf, clock);
    if (begun.kind === 'cancelled') {
      report({ outcome: 'skipped', reason: 'campaign cancelled' });
      if (begun.closed) deps.events.emit('campaign:finished', { campaign: spec.name });
      return { settled: 'cancelled' };
    }
    if (begun.kind === 'final') {
      report({ outcome: 'skipped', reason: `already settled (${begun.state.state})` });
      return { settled: begun.state.state };
    }
    if (begun.kind === 'missing')
      throw new UnrecoverableError(`recipient ${to} is not in campaign ${spec.name}'s ledger`);
    const params = buildCreateParams(entry.sender, to, composed.content, deps.statusCallback);
    // Asks Twilio whether an attempt whose answer never came created the message: found, the recipient was sent;
    // otherwise nothing proves it was not (the request may still be in flight, or not listed yet), so it is unknown
    // and never resent.
    const reconcile = async (attemptStartedAt: number, notFound: string, context: string, durationSeconds?: number) => {
      const found = await reconcileAttempt(deps.client, params, attemptStartedAt);
      const timing = durationSeconds === undefined ? {} : { durationSeconds };
      if (found.kind === 'sent') {
        await settle({ state: 'sent', sid: found.sid });
        report({ outcome: 'sent', sid: found.sid, reason: `${context}; found in Twilio's message list`, ...timing });
        return { sid: found.sid };
      }
      // Still within the patience: the in-flight mark stays, and the job comes back to look again (BEGIN_SEND finds
      // the mark, so nothing is sent meanwhile).
      const lookAgainAt = clock.now() + RECONCILE_RETRY_MS;
      if (lookAgainAt - attemptStartedAt <= (deps.reconcilePatienceMs ?? 0)) {
        await job.moveToDelayed(clock.toLocal(lookAgainAt), token);
        throw new DelayedError();
      }
      const code = found.kind === 'lookup-failed' ? 'lookup-failed' : notFound;
      const reason =
        found.kind === 'lookup-failed'
          ? `${context}; Twilio's message list could not be read (${found.reason})`
          : `${context}; not in Twilio's message list, which does not prove it was not sent`;
      await settle({ state: 'unknown', reason: code });
      report({ outcome: 'unknown', code, reason, ...timing });
      return { unknown: reason };
    };
    if (begun.kind === 'in-flight') {
      const context = `an earlier attempt started at ${new Date(begun.since).toISOString()} may have reached Twilio`;
      return reconcile(begun.since, 'interrupted', context);
    }
    const attemptStartedAt = clock.now();
    const context: SendContext = deps.pacer.dispatchGuard(senderId, cost, mps);
    const started = performance.now();
    let message: Awaited<ReturnType<typeof deps.client.messages.create>>;
    try {
      message = await deps.inFlight(() => sendInContext(context, () => deps.client.messages.create(params)));
    } catch (error) {
      const durationSeconds = (performance.now() - started) / 1000;
      const outcome = classifyFailure(error, {
        ...(context.retryAfterMs === undefined ? {} : { retryAfterMs: context.retryAfterMs }),
        ...(deps.dailyCapPauseMs === undefined ? {} : { dailyCapPauseMs: deps.dailyCapPauseMs }),
        now: clock.now(),
      });
      // Twilio created no message, so the recipient goes back to queued before anything else is written: the
      // release is the one write Redis allows when it is out of memory (src/store/lua/release-1.lua), and a later
      // write that fails (a settle, a hold, the job's retry) then leaves a queued recipient to send again, never an
      // in-flight mark that the next attempt would have to record unknown.
      if (outcome.kind !== 'unknown') await deps.ledger.release(spec.name, to, senderId);
      switch (outcome.kind) {
        case 'failed':
          if (outcome.code === OPTED_OUT) {
            await deps.optOuts.add(to, { source: 'twilio-21610', sender: senderAddress(entry.sender) });
          }
          await settle({ state: 'failed', code: outcome.code });
          report({ outcome: 'failed', code: outcome.code, reason: outcome.reason, durationSeconds });
          throw new UnrecoverableError(`${outcome.code}: ${outcome.reason}`);
        case 'unknown':
          return reconcile(attemptStartedAt, 'no-answer', outcome.reason, durationSeconds);
        case 'pause-sender':
        case 'halt': {
          // Not processed, and no send from this sender (or account) can succeed for now: the recipient goes back
          // to queued with the others, and the first process to see the error puts the hold on (and logs it).
          const code = String(outcome.code);
          const newly =
            outcome.kind === 'pause-sender'
              ? await deps.holds.pause(senderId, outcome.until, code, outcome.reason)
              : await deps.holds.halt(outcome.scope, senderId, code, outcome.reason);
          report({ outcome: 'retry', code, reason: outcome.reason, durationSeconds });
          const hold = await deps.holds.holdOf(senderId);
          if (newly && hold !== undefined) deps.events.emit('sender:held', { campaign: spec.name, senderId, hold });
          const until = hold?.state === 'paused' ? clock.toLocal(hold.until) : Date.now() + HALT_RECHECK_MS;
          await job.moveToDelayed(Math.ceil(until), token);
          throw new DelayedError();
        }
        case 'throttle': {
          // The whole sender waits, in every process; this job waits with it without using an attempt, up to the
          // retry window after it was first throttled.
          const code = String(outcome.code);
          const waitMs = outcome.retryAfterMs ?? THROTTLE_WAIT_MS;
          const since = data.throttledSince ?? clock.now();
          if (data.throttledSince === undefined)
            await job.updateData(encodeSendJob({ ...data, throttledSince: since }, variables));
          if (clock.now() + waitMs - since > deps.retryWindowMs) {
            await settle({ state: 'failed', code });
            report({
              outcome: 'failed',
              code,
              reason: `still throttled after the retry window: ${outcome.reason}`,
              durationSeconds,
            });
            throw new UnrecoverableError(`still throttled after the retry window: ${outcome.reason}`);
          }
          await deps.pacer.holdBack(senderId, waitMs);
          report({ outcome: 'retry', code, reason: outcome.reason, durationSeconds });
          await job.moveToDelayed(Date.now() + waitMs, token);
          throw new DelayedError();
        }
        case 'retry': {
          const code = outcome.code === undefined ? 'transient' : String(outcome.code);
          if (job.attemptsMade + 1 >= deps.attempts) {
            await settle({ state: 'failed', code });
            report({
              outcome: 'failed',
              code,
              reason: `gave up after ${deps.attempts} attempts: ${outcome.reason}`,
              durationSeconds,
            });
            throw new UnrecoverableError(`gave up after ${deps.attempts} attempts: ${outcome.reason}`);
          }
          report({ outcome: 'retry', code, reason: outcome.reason, durationSeconds });
          throw new RetryableSendError(outcome.reason, outcome.retryAfterMs);
        }
      }
    }
    // Outside the try: Twilio created the message, so a failure to record it (Redis away longer than the client
    // retries) is not a failed send; the job's retry then finds it in flight and settles it unknown, never resent.
    const durationSeconds = (performance.now() - started) / 1000;
    await settle({ state: 'sent', sid: message.sid });
    report({ outcome: 'sent', sid: message.sid, durationSeconds });
    return { sid: message.sid };
  };
}
