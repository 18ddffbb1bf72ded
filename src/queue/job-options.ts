import type { JobsOptions } from 'bullmq';

import type { E164 } from '../domain/e164.js';

/** The job name of every send job. */
export const SEND_JOB = 'send';

/** Name of the worker-side backoff strategy (see send/backoff.ts), which honours Twilio's Retry-After. */
export const BACKOFF_STRATEGY = 'herald';

/**
 * BullMQ's attempt ceiling for a send job. The worker settles a recipient as failed after HERALD_ATTEMPTS
 * transient faults; this ceiling only keeps BullMQ from giving up first.
 */
const ATTEMPT_CEILING = 1000;

/** A week of failed jobs is kept for inspection; the ledger keeps every outcome for as long as the campaign. */
const FAILED_JOB_AGE_SECONDS = 7 * 24 * 3600;

/**
 * Options of a send job. The job id is the recipient, inside a queue that belongs to one campaign and sender,
 * so adding a recipient twice is a no-op. Completed jobs are removed at once: the ledger, not the job, is the
 * record of what was sent. A scheduled campaign's jobs are delayed until its start (`delayMs`).
 */
export function sendJobOptions(to: E164, delayMs = 0): JobsOptions {
  return {
    jobId: to,
    ...(delayMs > 0 ? { delay: delayMs } : {}),
    attempts: ATTEMPT_CEILING,
    backoff: { type: BACKOFF_STRATEGY },
    removeOnComplete: true,
    removeOnFail: { age: FAILED_JOB_AGE_SECONDS },
  };
}
