import { DelayedError, type Job, UnrecoverableError, WaitingError } from 'bullmq';

import { decodeSendJob, type StoredSendJob } from '../store/send-job.js';
import type { Send, SendDeps, SendResult, SendStep, SendTarget, Verdict } from './send-job.js';
import { actOnFailure } from './steps/act-on-failure.js';
import { awaitLegalHours } from './steps/await-legal-hours.js';
import { awaitWindow } from './steps/await-window.js';
import { classifyAnswer } from './steps/classify-answer.js';
import { compose } from './steps/compose.js';
import { createMessage } from './steps/create-message.js';
import { lookUpLost } from './steps/look-up-lost.js';
import { readWhatsAppSession } from './steps/read-whatsapp-session.js';
import { releaseUnsent } from './steps/release-unsent.js';
import { settle } from './steps/settle.js';
import { skipSettled } from './steps/skip-settled.js';
import { suppressOptedOut } from './steps/suppress-opted-out.js';
import { takeCapacity } from './steps/take-capacity.js';
import { tell } from './steps/tell.js';

/**
 * The steps of one send, in order. The deciding steps run until one gives the send a verdict; the acting steps then
 * act on it. A new step is one file in steps/ and one line here.
 */
export const SEND_STEPS: readonly SendStep[] = [
  readWhatsAppSession,
  compose,
  skipSettled,
  suppressOptedOut,
  awaitLegalHours,
  awaitWindow,
  takeCapacity,
  // On a connected socket: hours, opt-out and frequency cap again (check-before-write.ts), then the campaign gate
  // and the in-flight mark (gate-and-begin.ts), then the request.
  createMessage,
  classifyAnswer,
  releaseUnsent,
  actOnFailure,
  lookUpLost,
  settle,
  tell,
];

/** A transient fault: BullMQ retries the job after the backoff computed from it (see backoff.ts). */
export class RetryableSendError extends Error {
  override name = 'RetryableSendError';
  readonly retryAfterMs: number | undefined;

  constructor(message: string, retryAfterMs?: number) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Sends one job's message at most once. The ledger is marked in flight right before the request and settled after
 * it, so a job that BullMQ delivers again (a killed worker, an expired lock) finds the recipient settled and sends
 * nothing, and one that finds an earlier attempt still marked in flight looks it up rather than risk a duplicate.
 */
export function makeSendProcessor(deps: SendDeps, target: SendTarget, steps: readonly SendStep[] = SEND_STEPS) {
  return async function processSend(job: Job<StoredSendJob>, token?: string): Promise<SendResult> {
    const entry = target.senders.get(job.name);
    if (entry === undefined) {
      throw new UnrecoverableError(`job ${job.id} names sender ${job.name}, not one of this lane's senders`);
    }
    const data = decodeSendJob(job.data, job.id, target.variables);
    const send: Send = {
      job,
      token,
      target,
      data,
      entry,
      senderId: job.name,
      chain: deps.groups.chainOf(entry.sender),
      cost: data.segments,
    };
    try {
      for (const step of steps) {
        if (send.verdict === undefined || step.acts === true) await step.run(send, deps);
      }
    } finally {
      send.release?.();
    }
    if (send.verdict === undefined) throw new Error('the send pipeline ended without a verdict');
    return leave(send, send.verdict, deps);
  };
}

/**
 * How long a job whose settle no replica confirmed waits before it is run again (see leave): long enough not to spin
 * while a replica is slow, short enough that the job is done soon after.
 */
const RECHECK_UNCONFIRMED_MS = 1000;

/** How the job leaves the worker for its verdict: BullMQ's terms, here only. */
async function leave(send: Send, verdict: Verdict, deps: SendDeps): Promise<SendResult> {
  const { job, token } = send;
  if (send.settleUnconfirmed === true) {
    // A failover now could lose the settle, and the job's completion, written elsewhere, might survive it: the
    // recipient would stay in flight with no job left to finish it. So the job is run again instead of completed; that
    // run finds the recipient settled and completes, or, the settle lost, finds it in flight and looks it up.
    await job.moveToDelayed(Math.ceil(deps.clock.toLocal(deps.clock.now() + RECHECK_UNCONFIRMED_MS)), token);
    throw new DelayedError();
  }
  switch (verdict.kind) {
    case 'sent':
      return { sid: verdict.sid };
    case 'unknown':
      return { unknown: verdict.reason };
    case 'skipped':
      return verdict.result;
    case 'failed':
      throw new UnrecoverableError(`${verdict.code}: ${verdict.reason}`);
    case 'missing':
      throw new UnrecoverableError(`recipient ${send.data.to} is not in campaign ${send.target.spec.name}'s ledger`);
    case 'retry':
      throw new RetryableSendError(verdict.reason, verdict.retryAfterMs);
    case 'later':
      await job.moveToDelayed(Math.ceil(deps.clock.toLocal(verdict.until)), token);
      throw new DelayedError();
    case 'paused':
      // Its queue is paused too, so no worker fetches it again until the campaign is resumed.
      await job.moveToWait(token);
      throw new WaitingError();
    case 'look-up':
    case 'stop-link':
      throw new Error(`the send pipeline left a ${verdict.kind} verdict unacted on`);
  }
}
