import { UnrecoverableError } from 'bullmq';

import type { Channel } from '../domain/channel.js';
import { asE164 } from '../domain/e164.js';
import { makeTemplateVars } from '../domain/template.js';
import type { SendJobData } from '../ingest/plan-row.js';

/**
 * A send job's data as Redis holds it: short keys, no recipient (the job id is the E.164 number) and the template
 * variables as values in the order of the campaign's parsed variables, which producer and worker both derive from
 * the same stored spec. Redis keeps a job hash compact (a listpack) only while every field value is at most
 * `hash-max-listpack-value` bytes (64 by default); the readable `{line, to, channel, segments, vars}` JSON was
 * ~100 bytes, which turned every job into a hashtable of twice the size (see docs/benchmarks.md, Redis memory).
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
 * Reads a stored job back. A job that is not in this format (queued by a herald before it, or by hand) fails at
 * once with a readable reason rather than being retried: its data cannot become a message.
 */
export function decodeSendJob(stored: unknown, jobId: string | undefined, variables: readonly string[]): SendJobData {
  const to = jobId === undefined ? undefined : asE164(jobId);
  if (to === undefined) throw new UnrecoverableError(`job id ${String(jobId)} is not an E.164 number`);
  if (!isStoredSendJob(stored, variables.length))
    throw new UnrecoverableError(`job ${jobId} is not in herald's send job format (queued by an older herald?)`);
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
