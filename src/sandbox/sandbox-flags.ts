import type { CallbackOptions, DelayRange } from './callback-settings.js';
import { type FaultSettings, refusalSharesExceedOne } from './fault-settings.js';
import type { SandboxOptions } from './index.js';
import {
  DAILY_CAP,
  DELAY_MS,
  MPS,
  type NumberRule,
  QUEUE_HOURS,
  RETRY_AFTER_SECONDS,
  satisfies,
  SEED,
  SHARE,
} from './number-rules.js';
import { REPLY_KINDS, type RecipientOptions, type ReplyKind } from './reply-settings.js';
import type { SenderQueueOptions } from './sender-queues.js';

/** `herald sandbox` flags as commander hands them over: text, booleans for switches, a list for `--mps`. */
export interface SandboxFlags {
  port: string;
  host: string;
  tls?: boolean;
  latencyMs: string;
  fault429?: string;
  fault500?: string;
  fault503?: string;
  faultDrop?: string;
  retryAfter?: string;
  dailyCap?: string;
  seed?: string;
  senderQueues?: boolean;
  maxQueueHours?: string;
  mps: readonly string[];
  callbacks?: boolean;
  undelivered?: string;
  read?: string;
  duplicates?: string;
  outOfOrder?: string;
  sentDelayMs?: string;
  deliveredDelayMs?: string;
  replyUrl?: string;
  replyShare?: string;
  replyMix?: string;
  whatsappSessions?: boolean;
}

export type FlagOptions = Pick<
  SandboxOptions,
  'host' | 'port' | 'tls' | 'latencyMs' | 'faults' | 'senderQueues' | 'callbacks' | 'recipients'
>;

export type FlagsParse = { ok: true; options: FlagOptions } | { ok: false; message: string };

const PORT: NumberRule = { min: 0, aboveMin: false, max: 65_535, integer: true, describe: 'a port from 0 to 65535' };
const LATENCY: NumberRule = { ...DELAY_MS, max: 600_000, describe: 'whole milliseconds from 0 to 600000' };

/** A flag's value that breaks its rule; thrown inside this module and returned as a one-line message. */
class FlagProblem extends Error {}

/**
 * Turns the flags into sandbox options, or one readable line naming the first bad flag. A knob of a feature
 * turns the feature on (`--mps` implies `--sender-queues`, `--undelivered` implies `--callbacks`), and a
 * feature left alone stays off, so plain `herald sandbox` behaves as it always has.
 */
export function parseSandboxFlags(flags: SandboxFlags): FlagsParse {
  try {
    const seed = readOptional('--seed', flags.seed, SEED);
    const faults = readFaults(flags, seed);
    const senderQueues = readSenderQueues(flags);
    const callbacks = readCallbacks(flags, seed);
    const recipients = readRecipients(flags, seed);
    return {
      ok: true,
      options: {
        host: flags.host,
        port: readNumber('--port', flags.port, PORT),
        tls: flags.tls === true,
        latencyMs: readNumber('--latency-ms', flags.latencyMs, LATENCY),
        ...(faults === undefined ? {} : { faults }),
        ...(senderQueues === undefined ? {} : { senderQueues }),
        ...(callbacks === undefined ? {} : { callbacks }),
        ...(recipients === undefined ? {} : { recipients }),
      },
    };
  } catch (error) {
    if (error instanceof FlagProblem) return { ok: false, message: error.message };
    throw error;
  }
}

function readFaults(flags: SandboxFlags, seed: number | undefined): FaultSettings | undefined {
  const faults = definedOnly<FaultSettings>({
    rate429: readOptional('--fault-429', flags.fault429, SHARE),
    rate500: readOptional('--fault-500', flags.fault500, SHARE),
    rate503: readOptional('--fault-503', flags.fault503, SHARE),
    acceptThenDrop: readOptional('--fault-drop', flags.faultDrop, SHARE),
    retryAfterSeconds: readOptional('--retry-after', flags.retryAfter, RETRY_AFTER_SECONDS),
    dailyCap: readOptional('--daily-cap', flags.dailyCap, DAILY_CAP),
  });
  if (refusalSharesExceedOne(faults))
    throw new FlagProblem('--fault-429 + --fault-500 + --fault-503 must be at most 1');
  if (Object.keys(faults).length === 0 && seed === undefined) return undefined;
  return seed === undefined ? faults : { ...faults, seed };
}

function readSenderQueues(flags: SandboxFlags): SenderQueueOptions | undefined {
  const maxQueueHours = readOptional('--max-queue-hours', flags.maxQueueHours, QUEUE_HOURS);
  if (flags.senderQueues !== true && maxQueueHours === undefined && flags.mps.length === 0) return undefined;
  const mps: Record<string, number> = {};
  for (const pair of flags.mps) {
    const equals = pair.lastIndexOf('=');
    const sender = pair.slice(0, Math.max(equals, 0)).trim();
    if (equals < 0 || sender === '') throw new FlagProblem(`--mps must look like +14155550100=10 (got "${pair}")`);
    mps[sender] = readNumber('--mps', pair.slice(equals + 1), MPS);
  }
  return { ...(maxQueueHours === undefined ? {} : { maxQueueHours }), ...(flags.mps.length === 0 ? {} : { mps }) };
}

function readCallbacks(flags: SandboxFlags, seed: number | undefined): CallbackOptions | undefined {
  const callbacks = definedOnly<CallbackOptions>({
    undeliveredShare: readOptional('--undelivered', flags.undelivered, SHARE),
    readShare: readOptional('--read', flags.read, SHARE),
    duplicateShare: readOptional('--duplicates', flags.duplicates, SHARE),
    outOfOrderShare: readOptional('--out-of-order', flags.outOfOrder, SHARE),
    sentDelayMs: readRange('--sent-delay-ms', flags.sentDelayMs),
    deliveredDelayMs: readRange('--delivered-delay-ms', flags.deliveredDelayMs),
  });
  if (flags.callbacks !== true && Object.keys(callbacks).length === 0) return undefined;
  return seed === undefined ? callbacks : { ...callbacks, seed };
}

function readRecipients(flags: SandboxFlags, seed: number | undefined): RecipientOptions | undefined {
  const replyShare = readOptional('--reply-share', flags.replyShare, SHARE);
  if (replyShare !== undefined && replyShare > 0 && flags.replyUrl === undefined)
    throw new FlagProblem("--reply-share needs --reply-url (where recipients' replies are posted)");
  const replyMix = flags.replyMix === undefined ? undefined : readReplyMix(flags.replyMix);
  const recipients = definedOnly<RecipientOptions>({
    replyUrl: flags.replyUrl,
    replyShare,
    replyMix,
    whatsappSessions: flags.whatsappSessions === true ? true : undefined,
  });
  if (Object.keys(recipients).length === 0) return undefined;
  return seed === undefined ? recipients : { ...recipients, seed };
}

/** `stop=1,text=3`: relative weights of what recipients reply. */
function readReplyMix(text: string): Partial<Record<ReplyKind, number>> {
  const mix: Partial<Record<ReplyKind, number>> = {};
  for (const pair of text.split(',')) {
    const [kind = '', weight = ''] = pair.split('=').map((part) => part.trim());
    if (!(REPLY_KINDS as readonly string[]).includes(kind))
      throw new FlagProblem(`--reply-mix kinds are ${REPLY_KINDS.join(', ')} (got "${kind}")`);
    mix[kind as ReplyKind] = readNumber('--reply-mix', weight, {
      ...SHARE,
      max: 1e6,
      describe: 'weights from 0 to 1e6',
    });
  }
  return mix;
}

/** `MIN-MAX` or a single number (both ends the same), in milliseconds. */
function readRange(flag: string, text: string | undefined): DelayRange | undefined {
  if (text === undefined) return undefined;
  const [minText = '', maxText = minText, ...rest] = text.split('-');
  if (rest.length > 0) throw new FlagProblem(`${flag} must be MS or MIN-MAX in milliseconds (got "${text}")`);
  const range = { min: readNumber(flag, minText, DELAY_MS), max: readNumber(flag, maxText, DELAY_MS) };
  if (range.min > range.max) throw new FlagProblem(`${flag} must have MIN no larger than MAX (got "${text}")`);
  return range;
}

function readOptional(flag: string, text: string | undefined, rule: NumberRule): number | undefined {
  return text === undefined ? undefined : readNumber(flag, text, rule);
}

function readNumber(flag: string, text: string, rule: NumberRule): number {
  // Number('') is 0 and Number('0x10') is 16; only plain decimals are numbers here.
  const value = /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!satisfies(value, rule)) throw new FlagProblem(`${flag} must be ${rule.describe} (got "${text}")`);
  return value;
}

/** The object without its undefined fields, as exactOptionalPropertyTypes wants optional fields. */
function definedOnly<T extends object>(fields: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T;
}
