import { UnrecoverableError } from 'bullmq';

import type { Channel } from '../domain/channel.js';
import { asE164, type E164 } from '../domain/e164.js';
import { makeTemplateVars } from '../domain/template.js';

/** The payload of one send job. The templates live once per campaign; a job carries only what varies. */
export interface SendJobData {
  /** The row's 1-based starting line in the file, to report a failure against. */
  line: number;
  to: E164;
  channel: Channel;
  /** What the message costs against its sender's rate: SMS segments, else 1. */
  segments: number;
  /**
   * The row's values of the columns the templates read, and no others (Redis holds one per job), keyed by the
   * variable as the templates write it; on an object without a prototype (see makeTemplateVars).
   */
  vars: Record<string, string>;
  /** When Twilio first throttled this message (ms since the epoch); set by the worker, bounds the retry window. */
  throttledSince?: number;
}

/**
 * A send job's data as Redis holds it: short keys, no recipient (the job id is the E.164 number) and the template
 * variables as values in the order of the campaign's parsed variables, which producer and worker both derive from
 * the same stored spec. Redis keeps a job hash compact (a listpack) only while every field value is at most
 * `hash-max-listpack-value` bytes (64 by default); the same fields as readable `{line, to, channel, segments, vars}`
 * JSON take ~100 bytes, which would make every job a hashtable of twice the size (docs/benchmarks.md, Redis memory).
 */
export interface StoredSendJob {
  /** line */
  l: number;
  /** channel: s, m or w */
  c: ChannelCode;
  /** segments (the pace cost) */
  n: number;
  /** the template variables' values */
  v: string[];
  /** throttledSince, only once Twilio throttled the message */
  t?: number;
}

const CHANNEL_CODES = { sms: 's', mms: 'm', whatsapp: 'w' } as const satisfies Record<Channel, string>;
type ChannelCode = (typeof CHANNEL_CODES)[Channel];
const CHANNEL_OF: Readonly<Record<string, Channel>> = { s: 'sms', m: 'mms', w: 'whatsapp' };

/** What a job stores for `job`; `variables` is the campaign's variable order (`[...templates.variables]`). */
export function encodeSendJob(job: SendJobData, variables: readonly string[]): StoredSendJob {
  const stored: StoredSendJob = {
    l: job.line,
    c: CHANNEL_CODES[job.channel],
    n: job.segments,
    v: variables.map((name) => job.vars[name] ?? ''),
  };
  if (job.throttledSince !== undefined) stored.t = job.throttledSince;
  return stored;
}

/**
 * Reads a stored job back. A job that is not in this format (queued by another version of herald, or by hand) fails
 * at once with a readable reason rather than being retried: its data cannot become a message.
 */
export function decodeSendJob(stored: unknown, jobId: string | undefined, variables: readonly string[]): SendJobData {
  const to = jobId === undefined ? undefined : asE164(jobId);
  if (to === undefined) throw new UnrecoverableError(`job id ${String(jobId)} is not an E.164 number`);
  if (!isStoredSendJob(stored, variables.length))
    throw new UnrecoverableError(
      `job ${jobId} is not in herald's send job format (queued by another version of herald, or by hand?)`,
    );
  const vars = makeTemplateVars(variables.map((name, index) => [name, stored.v[index] ?? '']));
  const job: SendJobData = { line: stored.l, to, channel: CHANNEL_OF[stored.c]!, segments: stored.n, vars };
  if (stored.t !== undefined) job.throttledSince = stored.t;
  return job;
}

function isStoredSendJob(value: unknown, variableCount: number): value is StoredSendJob {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<Record<keyof StoredSendJob, unknown>>;
  return (
    typeof record.l === 'number' &&
    typeof record.c === 'string' &&
    Object.hasOwn(CHANNEL_OF, record.c) &&
    typeof record.n === 'number' &&
    Array.isArray(record.v) &&
    record.v.length === variableCount &&
    record.v.every((item) => typeof item === 'string') &&
    (record.t === undefined || typeof record.t === 'number')
  );
}
