import { DEFAULT_MPS, parseSender } from '../domain/sender.js';
import { MPS, QUEUE_HOURS, satisfies } from './number-rules.js';
import { QUEUE_FULL_ERROR, type TwilioError } from './twilio-error.js';

/** One sender's state as `GET /sandbox/senders` shows it (arrivals are added from the ArrivalLog). */
export interface SenderStats {
  /** `From` as posted, or the MessagingServiceSid when there is no From. */
  sender: string;
  mps: number;
  accepted: number;
  /** Segments (MMS and WhatsApp: messages) not yet sent by the model, rounded up. */
  queuedSegments: number;
  backlogSeconds: number;
}

export interface SenderQueueRules {
  /** MPS of a sender not configured otherwise. */
  mpsOf: (sender: string) => number;
  /**
   * Refuse a create that would leave more than this much backlog (ms) on its sender; undefined: never refuse
   * and send at once (the model only keeps statistics).
   */
  maxBacklogMs: number | undefined;
}

/** Twilio-like per-sender queues: each sender sends at its MPS and holds at most a few hours of backlog. */
export interface SenderQueueOptions {
  /**
   * MPS of particular senders, keyed by From (or MessagingServiceSid) as posted. Others get their kind's
   * default (src/domain/sender.ts DEFAULT_MPS: long code 1, toll-free 3, short code 100, WhatsApp 80).
   */
  mps?: Readonly<Record<string, number>>;
  /** Backlog a sender may hold before creates get 21611; fractions allowed (tests). @defaultValue 4 */
  maxQueueHours?: number;
}

const DEFAULT_MAX_QUEUE_HOURS = 4;

/**
 * The rules for the given options, or for statistics only (no refusal, no pacing) when they are absent.
 * Throws a RangeError naming the bad option.
 */
export function makeSenderQueueRules(options: SenderQueueOptions | undefined): SenderQueueRules {
  const overrides = new Map(Object.entries(options?.mps ?? {}));
  for (const [sender, mps] of overrides) {
    if (!satisfies(mps, MPS)) throw new RangeError(`senderQueues.mps[${sender}] must be ${MPS.describe}`);
  }
  const hours = options?.maxQueueHours ?? DEFAULT_MAX_QUEUE_HOURS;
  if (!satisfies(hours, QUEUE_HOURS))
    throw new RangeError(`senderQueues.maxQueueHours must be ${QUEUE_HOURS.describe}`);
  return {
    mpsOf: (sender) => overrides.get(sender) ?? defaultSenderMps(sender),
    // Rounded to the microsecond so that 2/3600 h is 2000 ms, not 1999.9999999999998.
    maxBacklogMs: options === undefined ? undefined : Math.round(hours * 3_600_000_000) / 1000,
  };
}

export type Enqueue = { ok: true; sendAt: number } | { ok: false; error: TwilioError };

interface SenderState {
  mps: number;
  accepted: number;
  /** When (ms) the sender has sent everything accepted so far. */
  freeAt: number;
}

/**
 * Twilio's per-sender queues (../shared/reference/twilio.md §3): each sender sends its queue at its MPS,
 * counted in segments for SMS, and a sender's queue holds a few hours of sending; a create past that is
 * refused with 21611. Modelled as the time each sender's queue empties, so admitting a message is O(1).
 */
export class SenderQueues {
  readonly #rules: SenderQueueRules;
  readonly #senders = new Map<string, SenderState>();

  constructor(rules: SenderQueueRules) {
    this.#rules = rules;
  }

  /**
   * Queues `cost` segments from `sender` at `at` (ms), or refuses with 21611. `sendAt` is when the message's
   * last segment leaves the queue, or `at` when the model only keeps statistics.
   */
  enqueue(sender: string, cost: number, at: number): Enqueue {
    const state = this.#stateOf(sender);
    const sentAt = Math.max(at, state.freeAt) + (cost / state.mps) * 1000;
    const maxBacklogMs = this.#rules.maxBacklogMs;
    if (maxBacklogMs !== undefined && sentAt - at > maxBacklogMs) return { ok: false, error: QUEUE_FULL_ERROR };
    state.freeAt = sentAt;
    state.accepted += 1;
    return { ok: true, sendAt: maxBacklogMs === undefined ? at : sentAt };
  }

  stats(now: number): SenderStats[] {
    return [...this.#senders].map(([sender, state]) => {
      const backlogMs = Math.max(0, state.freeAt - now);
      return {
        sender,
        mps: state.mps,
        accepted: state.accepted,
        // The epsilon keeps float noise (2.0000000001 segments) from counting as one more segment.
        queuedSegments: Math.max(0, Math.ceil((backlogMs / 1000) * state.mps - 1e-9)),
        backlogSeconds: Math.round(backlogMs) / 1000,
      };
    });
  }

  clear(): void {
    this.#senders.clear();
  }

  #stateOf(sender: string): SenderState {
    let state = this.#senders.get(sender);
    if (state === undefined) {
      state = { mps: this.#rules.mpsOf(sender), accepted: 0, freeAt: 0 };
      this.#senders.set(sender, state);
    }
    return state;
  }
}

/**
 * A sender's default MPS by its kind, as herald plans it (src/domain/sender.ts). What herald cannot parse
 * (an alphanumeric sender ID, a number libphonenumber rejects) is paced like a long code, the slowest kind.
 */
export function defaultSenderMps(sender: string): number {
  const parsed = parseSender(sender);
  return parsed.ok ? DEFAULT_MPS[parsed.sender.kind] : DEFAULT_MPS['long-code'];
}
