import type { JobsOptions, KeepJobs } from 'bullmq';

import { MAX_SEND_ATTEMPTS } from '../config/settings.js';
import type { E164 } from '../domain/e164.js';

/**
 * A send job is named by its sender's id: a lane's queue holds the recipients of every sender of the lane (a pool's
 * numbers), each sent from the number it was given at ingest.
 */
export function sendJobName(senderId: string): string {
  return senderId;
}

/**
 * Name of the worker-side backoff strategy (see send/backoff.ts), which honours Twilio's Retry-After. One letter,
 * because every job stores it (see {@link sendJobOptions}).
 */
export const BACKOFF_STRATEGY = 'h';

/**
 * BullMQ's attempt ceiling for a send job. The worker settles a recipient as failed after HERALD_ATTEMPTS
 * transient faults; this ceiling only keeps BullMQ from giving up first.
 */
const ATTEMPT_CEILING = MAX_SEND_ATTEMPTS + 1;

/** A week of failed jobs is kept for inspection; the ledger keeps every outcome for as long as the campaign. */
const FAILED_JOB_AGE_SECONDS = 7 * 24 * 3600;

/**
 * Options of a send job. The job id is the recipient, inside a queue that belongs to one campaign and lane,
 * so adding a recipient twice is a no-op. A scheduled campaign's jobs are delayed until its start (`delayMs`).
 * BullMQ stores a job's options, id included, as JSON in its hash (queue-level `defaultJobOptions` are merged into
 * every job and stored just the same), so only what BullMQ reads from the job itself is set here: the attempt
 * ceiling and backoff, which decide retries, and the delay. Retention is the Worker's ({@link SEND_JOB_RETENTION}).
 * That keeps the stored options of an unscheduled job within Redis's compact-hash limit (`hash-max-listpack-value`,
 * 64 bytes) for numbers of up to 14 characters (`+` and 13 digits), so the job hash stays a listpack, less than half
 * the size of a hashtable. (A scheduled job's delay takes it over the limit: its hash is a hashtable.)
 */
export function sendJobOptions(to: E164, delayMs = 0): JobsOptions {
  return {
    jobId: to,
    ...(delayMs > 0 ? { delay: delayMs } : {}),
    attempts: ATTEMPT_CEILING,
    backoff: { type: BACKOFF_STRATEGY },
  };
}

/**
 * Retention of send jobs, as Worker options (BullMQ applies them to every job that sets none): completed jobs are
 * removed at once, since the ledger, not the job, is the record of what was sent; failed ones are kept a week.
 */
export const SEND_JOB_RETENTION: { removeOnComplete: KeepJobs; removeOnFail: KeepJobs } = {
  removeOnComplete: { count: 0 },
  removeOnFail: { age: FAILED_JOB_AGE_SECONDS },
};
