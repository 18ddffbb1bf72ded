import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { LimitFunction } from 'p-limit';

import type { CampaignSpec, SenderEntry } from '../domain/campaign.js';
import { paceCost } from '../domain/channel.js';
import { composeMessage } from '../domain/compose-message.js';
import { countryOf } from '../domain/e164.js';
import { senderId as idOf, senderMps } from '../domain/sender.js';
import type { ParsedTemplates } from '../domain/template.js';
import type { SendAttempt, SendEvents } from '../observe/send-events.js';
import type { Ledger, Settlement } from '../queue/ledger.js';
import type { OptOutList } from '../queue/opt-outs.js';
import type { SenderPacer } from '../queue/sender-pacer.js';
import { decodeSendJob, encodeSendJob, type StoredSendJob } from '../queue/stored-send-job.js';
import { buildCreateParams } from './build-create-params.js';
import { type CampaignGate, holdAtGate, holdUntilWindow } from './campaign-gate.js';
import { classifyFailure } from './classify.js';
import { type SendContext, sendInContext } from './dispatch-gate.js';
import type { TwilioClient } from './twilio-client.js';

/** How long a throttled sender waits when Twilio gives no Retry-After. */
const THROTTLE_WAIT_MS = 1000;

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
  statusCallback?: string;
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
    const settle = async (settlement: Settlement) => {
      const { finished } = await deps.ledger.settle(spec.name, to, channel, settlement);
      if (finished) deps.events.emit('campaign:finished', { campaign: spec.name });
    };

    const composed = composeMessage({ templates, vars, channel, country: countryOf(to), sender: entry.sender });
    if (!composed.ok) {
      await settle({ state: 'failed', code: 'invalid-content' });
      report({ outcome: 'failed', code: 'invalid-content', reason: composed.reason });
      throw new UnrecoverableError(composed.reason);
    }

    // A recipient settled by an earlier delivery of this job must not use up one of the sender's slots.
    const settled = await deps.ledger.settledState(spec.name, to);
    if (settled !== undefined) {
      report({ outcome: 'skipped', reason: `already settled (${settled.slice(0, 1)})` });
      return { settled };
    }
    // Opted out after this campaign was queued (Twilio would answer 21610): settled without using a slot.
    if (await deps.optOuts.has(to)) {
      await settle({ state: 'failed', code: OPTED_OUT });
      report({ outcome: 'failed', code: OPTED_OUT, reason: 'recipient opted out (replied STOP)' });
      throw new UnrecoverableError(`${OPTED_OUT}: recipient opted out (replied STOP)`);
    }
    if (spec.window !== undefined) await holdUntilWindow(spec.window, to, job, token);
    const cost = paceCost(composed.content);
    await deps.pacer.reserve(senderId, cost, mps);
    // After the reserve, which may have waited: a pause or cancel that landed meanwhile must still stop this send.
    const gate = await holdAtGate(deps.gate, spec.name, to, job, token);
    if (gate.kind === 'cancelled') {
      report({ outcome: 'skipped', reason: 'campaign cancelled' });
      if (gate.closed) deps.events.emit('campaign:finished', { campaign: spec.name });
      return { settled: 'c:cancelled' };
    }

    const begun = await deps.ledger.begin(spec.name, to, `${job.id}/${job.attemptsStarted}`);
    if (begun.kind === 'final') {
      report({ outcome: 'skipped', reason: `already settled (${begun.state.slice(0, 1)})` });
      return { settled: begun.state };
    }
    if (begun.kind === 'missing')
      throw new UnrecoverableError(`recipient ${to} is not in campaign ${spec.name}'s ledger`);
    if (begun.kind === 'in-flight') {
      const reason = `an earlier attempt started at ${new Date(begun.since).toISOString()} may have reached Twilio`;
      await settle({ state: 'unknown', reason: 'interrupted' });
      report({ outcome: 'unknown', code: 'interrupted', reason });
      return { unknown: reason };
    }

    const params = buildCreateParams(entry.sender, to, composed.content, deps.statusCallback);
    const context: SendContext = { gate: () => deps.pacer.claimDispatch(senderId, cost, mps) };
    const started = performance.now();
    try {
      const message = await deps.inFlight(() => sendInContext(context, () => deps.client.messages.create(params)));
      const durationSeconds = (performance.now() - started) / 1000;
      await settle({ state: 'sent', sid: message.sid });
      report({ outcome: 'sent', sid: message.sid, durationSeconds });
      return { sid: message.sid };
    } catch (error) {
      const durationSeconds = (performance.now() - started) / 1000;
      const outcome = classifyFailure(error, context.retryAfterMs);
      switch (outcome.kind) {
        case 'failed':
          if (outcome.code === OPTED_OUT) await deps.optOuts.add(to);
          await settle({ state: 'failed', code: outcome.code });
          report({ outcome: 'failed', code: outcome.code, reason: outcome.reason, durationSeconds });
          throw new UnrecoverableError(`${outcome.code}: ${outcome.reason}`);
        case 'unknown':
          await settle({ state: 'unknown', reason: 'no-answer' });
          report({ outcome: 'unknown', code: 'no-answer', reason: outcome.reason, durationSeconds });
          return { unknown: outcome.reason };
        case 'throttle': {
          // The whole sender waits, in every process; this job waits with it without using an attempt, up to the
          // retry window after it was first throttled.
          const code = String(outcome.code);
          const waitMs = outcome.retryAfterMs ?? THROTTLE_WAIT_MS;
          const since = data.throttledSince ?? Date.now();
          if (data.throttledSince === undefined)
            await job.updateData(encodeSendJob({ ...data, throttledSince: since }, variables));
          if (Date.now() + waitMs - since > deps.retryWindowMs) {
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
          await deps.ledger.release(spec.name, to, senderId);
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
          await deps.ledger.release(spec.name, to, senderId);
          report({ outcome: 'retry', code, reason: outcome.reason, durationSeconds });
          throw new RetryableSendError(outcome.reason, outcome.retryAfterMs);
        }
      }
    }
  };
}
