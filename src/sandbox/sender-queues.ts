import { chainOf, intervalMs, NO_GROUPS, type RateGroups } from '../domain/rate-group.js';
import { DEFAULT_MPS, parseSender, type Sender, senderId } from '../domain/sender.js';
import { MPS, QUEUE_HOURS, satisfies } from './number-rules.js';
import { QUEUE_FULL_ERROR, type TwilioError } from './twilio-error.js';

/** One sender's or group's state as `GET /sandbox/senders` shows it (a sender's arrivals are added from the ArrivalLog). */
export interface QueueStats {
  /** MPS (for SMS, segments per second) it is sent at: a sender's tightest limit, or the group's own. */
  mps: number;
  accepted: number;
  /** Segments (MMS and WhatsApp: messages) not yet sent by the model, rounded up. */
  queuedSegments: number;
  /** How long a message accepted now would wait in its queue before it starts to be sent. */
  backlogSeconds: number;
  /** The longest any accepted message waited (or will wait) in the queue before it started to be sent. */
  peakBacklogSeconds: number;
}

export interface SenderStats extends QueueStats {
  /** `From` as posted, or the MessagingServiceSid when there is no From. */
  sender: string;
}

export interface GroupStats extends QueueStats {
  group: string;
}

export interface SenderQueueRules {
  /** The limits a sender's messages are sent under: its own and its groups', each with its interval per unit. */
  linksOf: (sender: string) => readonly QueueLink[];
  /**
   * Refuse a create that would leave more than this much backlog (ms) on its sender; undefined: never refuse
   * and send at once (the model only keeps statistics).
   */
  maxBacklogMs: number | undefined;
}

/** One limit of a sender's chain, in the model. */
export interface QueueLink {
  /** `s:<sender as posted>` or `g:<group>`. */
  id: string;
  /** ms one unit of cost takes; 0 for a link with no limit. */
  intervalMs: number;
}

/** Twilio-like queues: each sender sends at its MPS, within its groups' limits, and holds at most a few hours. */
export interface SenderQueueOptions {
  /**
   * MPS of particular senders, keyed by From (or MessagingServiceSid) as posted. Others get their kind's
   * default (src/domain/sender.ts DEFAULT_MPS: long code 1, toll-free 3, short code 100, WhatsApp 80).
   */
  mps?: Readonly<Record<string, number>>;
  /** The rate groups senders belong to, as herald's groups file sets them (`herald sandbox --groups`). */
  groups?: RateGroups;
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
  const groups = options?.groups ?? NO_GROUPS;
  return {
    linksOf: (sender) => {
      const override = overrides.get(sender);
      const parsed = parseSender(sender);
      if (!parsed.ok) {
        // What herald cannot parse (an alphanumeric sender ID) is paced like a long code, the slowest kind.
        return [{ id: `s:${sender}`, intervalMs: 1000 / (override ?? DEFAULT_MPS['long-code']) }];
      }
      const chain = chainOf(withOverride(groups, parsed.sender, override), parsed.sender);
      return chain.links.map((link, index) => ({
        id: index === 0 ? `s:${sender}` : link.id,
        intervalMs: link.limit === undefined ? 0 : intervalMs(link.limit),
      }));
    },
    // Rounded to the microsecond so that 2/3600 h is 2000 ms, not 1999.9999999999998.
    maxBacklogMs: options === undefined ? undefined : Math.round(hours * 3_600_000_000) / 1000,
  };
}

function withOverride(groups: RateGroups, sender: Sender, mps: number | undefined): RateGroups {
  if (mps === undefined) return groups;
  const id = senderId(sender);
  const senders = new Map(groups.senders);
  senders.set(id, { ...senders.get(id), limit: { count: mps, per: 'second' } });
  return { groups: groups.groups, senders };
}

export type Enqueue = { ok: true; sendAt: number } | { ok: false; error: TwilioError };

interface LinkState {
  intervalMs: number;
  accepted: number;
  /** When (ms) the link has sent everything accepted so far. */
  freeAt: number;
  peakDelayMs: number;
}

/**
 * Twilio's queues (https://support.twilio.com/hc/en-us/articles/115002943027): a message starts to be sent once every
 * limit of its sender's chain allows (the sender's own, its 10DLC pool's, its account's, ...), each sending at its
 * rate, counted in segments for SMS; a sender's queue holds a few hours of sending, and a create past that is refused
 * with 21611. Modelled as the time each link's queue empties, so admitting a message is O(chain).
 */
export class SenderQueues {
  readonly #rules: SenderQueueRules;
  readonly #chains = new Map<string, readonly QueueLink[]>();
  readonly #links = new Map<string, LinkState>();

  constructor(rules: SenderQueueRules) {
    this.#rules = rules;
  }

  /**
   * Queues `cost` segments from `sender` at `at` (ms), or refuses with 21611. `sendAt` is when the message's
   * last segment leaves the queue, or `at` when the model only keeps statistics.
   */
  enqueue(sender: string, cost: number, at: number): Enqueue {
    const chain = this.#chainOf(sender);
    const states = chain.map((link) => this.#stateOf(link));
    const start = Math.max(at, ...states.map((state) => state.freeAt));
    const sentAt = start + cost * Math.max(...states.map((state) => state.intervalMs));
    const maxBacklogMs = this.#rules.maxBacklogMs;
    if (maxBacklogMs !== undefined && sentAt - at > maxBacklogMs) return { ok: false, error: QUEUE_FULL_ERROR };
    for (const state of states) {
      if (state.intervalMs > 0) state.freeAt = start + cost * state.intervalMs;
      state.accepted += 1;
      state.peakDelayMs = Math.max(state.peakDelayMs, start - at);
    }
    return { ok: true, sendAt: maxBacklogMs === undefined ? at : sentAt };
  }

  /** Each sender's queue: how long a message from it would wait now, whichever of its limits holds it. */
  stats(now: number): SenderStats[] {
    return [...this.#chains].flatMap(([sender, chain]) => {
      const own = this.#links.get(chain[0]!.id);
      if (own === undefined) return [];
      const states = chain.map((link) => this.#links.get(link.id)!);
      const interval = Math.max(...states.map((state) => state.intervalMs));
      return [
        { sender, ...statsOf({ ...own, intervalMs: interval, freeAt: Math.max(...states.map((s) => s.freeAt)) }, now) },
      ];
    });
  }

  /** Each group's queue, for groups the senders have sent through. */
  groupStats(now: number): GroupStats[] {
    return [...this.#links]
      .filter(([id]) => id.startsWith('g:'))
      .map(([id, state]) => ({ group: id.slice(2), ...statsOf(state, now) }));
  }

  clear(): void {
    this.#chains.clear();
    this.#links.clear();
  }

  #chainOf(sender: string): readonly QueueLink[] {
    let chain = this.#chains.get(sender);
    if (chain === undefined) {
      chain = this.#rules.linksOf(sender);
      this.#chains.set(sender, chain);
    }
    return chain;
  }

  #stateOf(link: QueueLink): LinkState {
    let state = this.#links.get(link.id);
    if (state === undefined) {
      state = { intervalMs: link.intervalMs, accepted: 0, freeAt: 0, peakDelayMs: 0 };
      this.#links.set(link.id, state);
    }
    return state;
  }
}

function statsOf(state: LinkState, now: number): QueueStats {
  const backlogMs = Math.max(0, state.freeAt - now);
  const mps = state.intervalMs > 0 ? 1000 / state.intervalMs : Number.POSITIVE_INFINITY;
  return {
    mps: Math.round(mps * 1000) / 1000,
    accepted: state.accepted,
    // The epsilon keeps float noise (2.0000000001 segments) from counting as one more segment.
    queuedSegments: state.intervalMs > 0 ? Math.max(0, Math.ceil(backlogMs / state.intervalMs - 1e-9)) : 0,
    backlogSeconds: Math.round(backlogMs) / 1000,
    peakBacklogSeconds: Math.round(state.peakDelayMs) / 1000,
  };
}

/**
 * A sender's default MPS by its kind, as herald plans it (src/domain/sender.ts). What herald cannot parse
 * (an alphanumeric sender ID, a number libphonenumber rejects) is paced like a long code, the slowest kind.
 */
export function defaultSenderMps(sender: string): number {
  const parsed = parseSender(sender);
  return parsed.ok ? DEFAULT_MPS[parsed.sender.kind] : DEFAULT_MPS['long-code'];
}
