import type { Job } from 'bullmq';
import type { LimitFunction } from 'p-limit';
import type { MessageListInstanceCreateOptions } from 'twilio/lib/rest/api/v2010/account/message.js';

import type { CampaignName, CampaignSpec, SenderEntry } from '../domain/campaign.js';
import type { E164 } from '../domain/e164.js';
import type { MessageContent } from '../domain/channel.js';
import type { RateChain } from '../domain/rate-group.js';
import type { ParsedTemplates } from '../domain/template.js';
import type { SendJobData } from '../store/send-job.js';
import type { SendEvents } from '../observe/send-events.js';
import type { InFlightMark, Ledger } from '../store/ledger.js';
import type { OptOutList } from '../queue/opt-outs.js';
import type { RecipientDetail } from '../store/recipient-detail.js';
import type { StoredSendJob } from '../store/send-job.js';
import type { GroupsInUse } from '../rate/groups-in-use.js';
import type { Holds } from '../rate/holds.js';
import type { RatePacer } from '../rate/rate-pacer.js';
import type { Clock } from '../queue/redis-clock.js';
import type { SendingHoursLaw } from '../compliance/sending-hours.js';
import type { WhatsAppSessions } from '../compliance/whatsapp-sessions.js';
import type { FrequencyCap } from '../store/frequency-cap.js';
import type { RecipientHold } from '../store/held-recipients.js';
import type { CampaignGate } from './campaign-gate.js';
import type { FailureOutcome } from './classify.js';
import type { TwilioClient } from './twilio-client.js';

export { OPTED_OUT_CODE } from '../compliance/opt-out-record.js';

/**
 * The compliance rules a send meets unless its campaign is declared transactional: US quiet hours, the frequency cap,
 * WhatsApp's 24-hour session, and the record of why a recipient waits.
 */
export interface ComplianceDeps {
  /** The US sending-hours rules (src/compliance/sending-hours.json). */
  law: SendingHoursLaw;
  /** Messages per recipient per rolling 24 hours, across every campaign and process. */
  frequencyCap: FrequencyCap;
  sessions: WhatsAppSessions;
  /** Keeps why a recipient waits, for the report and status (src/store/held-recipients.ts). */
  recordHold(campaign: CampaignName, to: E164, hold: RecipientHold): Promise<void>;
}

/** What the steps of a send use: the worker process's shared parts and settings. */
export interface SendDeps {
  ledger: Ledger;
  client: TwilioClient;
  events: SendEvents;
  /** Bounds this process's sends in flight across all queues (and so its sockets). */
  inFlight: LimitFunction;
  /** Takes each send's cost from its sender's rate chain, across every process. */
  pacer: RatePacer;
  /** Holds on senders, groups and the account, in every process. */
  holds: Holds;
  /** The rate groups, as this worker last read them. */
  groups: GroupsInUse;
  /** Numbers that replied STOP: never texted again. */
  optOuts: OptOutList;
  /** Pause, resume, cancel and scheduled starts, read just before each send. */
  gate: CampaignGate;
  compliance: ComplianceDeps;
  /** Attempts per recipient for transient faults. */
  attempts: number;
  /** Longest a message may wait on a throttled link, from when it was first throttled. */
  retryWindowMs: number;
  /** How long a daily cap (63038) without a Retry-After holds its sender. */
  dailyCapHoldMs?: number;
  /**
   * How long after an attempt began its lookup is repeated before it decides: Twilio may still be processing a
   * request whose answer was lost, or its list may not show the message yet. Then a written request not found is
   * unknown, and one never written is sent (look-up-lost.ts). 0: look once.
   */
  reconcilePatienceMs?: number;
  /** How soon, within the patience, a lookup that found nothing (or failed) is repeated. @defaultValue 10_000 */
  lookAgainMs?: number;
  statusCallback?: string;
  /**
   * The clock of every decision that must agree across processes (a window, a scheduled start, a hold, how long a
   * send has been in flight, a throttle's retry window): Redis's in a worker. A verdict's `until` is on it.
   */
  clock: Clock;
}

/** What a campaign's queue in one lane sends: parsed once when a worker starts serving it. */
export interface SendTarget {
  spec: CampaignSpec;
  templates: ParsedTemplates;
  /** The lane's senders, by id: a job names the one it is sent from (job-options.ts). */
  senders: ReadonlyMap<string, SenderEntry>;
  /** The campaign's variable order, as its jobs store their values. */
  variables: readonly string[];
}

export type SendResult = { sid: string } | { settled: string } | { unknown: string };

/** A note for metrics and logs on a verdict that is not final: why the recipient goes back to queued. */
export interface RetryNote {
  code: string;
  reason: string;
}

/**
 * What the deciding steps made of a send. Each kind says what is written to the ledger (settle, release or nothing)
 * and how the job leaves the worker (pipeline.ts translates that at the BullMQ edge).
 */
export type Verdict =
  /** Twilio created the message: settled sent. */
  | { kind: 'sent'; sid: string; reason?: string }
  /** Refused for good: settled failed, and the job fails without a retry; `optOut`: Twilio says they opted out. */
  | { kind: 'failed'; code: string; reason: string; optOut?: true }
  /** A request may have reached Twilio and the lookup could not tell: settled unknown, never resent. */
  | { kind: 'unknown'; code: string; reason: string }
  /**
   * An answer was lost, or an earlier attempt was interrupted: look the message up in Twilio's list. `unwritten`: the
   * earlier attempt's mark, which it never recorded as written (it may have stopped before writing its request).
   */
  | { kind: 'look-up'; since: number; notFound: string; context: string; unwritten?: InFlightMark }
  /** Nothing was sent and nothing is written: already settled, or cancelled. */
  | { kind: 'skipped'; reason: string; result: SendResult; finished?: boolean }
  /** Not now: the job waits until `until` (on SendDeps' clock), using no attempt; `retry` when the recipient goes back to queued. */
  | { kind: 'later'; until: number; retry?: RetryNote }
  /** The campaign is paused: the job goes back to wait. */
  | { kind: 'paused' }
  /** Not processed and transient: back to queued, and BullMQ retries after the backoff (an attempt used). */
  | { kind: 'retry'; code: string; reason: string; retryAfterMs?: number }
  /** Not processed, because a link or the account must stop for a while: act-on-failure.ts turns it into `later`. */
  | { kind: 'stop-link'; outcome: Extract<FailureOutcome, { kind: 'throttle' | 'hold' | 'halt' }> }
  /** The recipient is not in the campaign's ledger: the job fails without sending. */
  | { kind: 'missing' };

/** One job on its way through the pipeline: what the steps learn, in the order they learn it. */
export interface Send {
  readonly job: Job<StoredSendJob>;
  readonly token: string | undefined;
  readonly target: SendTarget;
  readonly data: SendJobData;
  /** The sender the job names, and its chain of limits as the groups stand. */
  readonly entry: SenderEntry;
  readonly senderId: string;
  readonly chain: RateChain;
  /** Whether the recipient's WhatsApp session is open, read only when the campaign has both forms (read-whatsapp-session). */
  whatsappSession?: boolean;
  /** The message was counted against the recipient's frequency cap (create-message), and is given back unless sent. */
  counted?: boolean;
  /** Set by compose. */
  content?: MessageContent;
  /** What the message costs against its chain: SMS segments, else 1 (compose). */
  cost: number;
  /** The create call's parameters (compose). */
  params?: MessageListInstanceCreateOptions;
  /** When the send's pacing slot fell due, ms since the epoch (take-capacity). */
  slotAt?: number;
  /** Frees this send's place among the process's sends in flight (take-capacity); called at most once. */
  release?: () => void;
  /** This attempt's in-flight mark, once the campaign gate has set it (gate-and-begin). */
  mark?: InFlightMark;
  /** When the request began, ms since the epoch, and Twilio's answer (create-message). */
  startedAt?: number;
  answer?: { ok: true; sid: string } | { ok: false; error: unknown };
  durationSeconds?: number;
  verdict?: Verdict;
  /** The settle of this send finished its campaign (settle). */
  finishedCampaign?: boolean;
  /** No replica confirmed the settle within HERALD_REPLICA_WAIT_MS, so a failover could still lose it (settle). */
  settleUnconfirmed?: boolean;
}

/**
 * One step of a send. A deciding step runs while the send has no verdict and may give it one; an acting step runs
 * whatever the verdict, and acts on the verdicts it concerns.
 */
export interface SendStep {
  readonly name: string;
  readonly acts?: true;
  run(send: Send, deps: SendDeps): Promise<void>;
}

/**
 * What the report and resend-failed keep of the recipient. `called`: whether a create call settles it (this
 * delivery's, or an interrupted earlier one's); the attempts recorded are those HERALD_ATTEMPTS counts, BullMQ's
 * attemptsMade (calls that failed and were retried) and that call; waits for a window, a slot or a hold use none.
 */
export function detailOf(send: Send, called: boolean, settledAt: number): RecipientDetail {
  const { job, data } = send;
  return {
    line: data.line,
    senderId: send.senderId,
    channel: data.channel,
    attempts: job.attemptsMade + (called ? 1 : 0),
    queuedAt: job.timestamp,
    settledAt,
    vars: data.vars,
  };
}
