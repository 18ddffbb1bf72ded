import { type FaultKind, type FaultSettings, parseFaultSettings } from './fault-settings.js';
import { type Middleware, replyError } from './pipeline.js';
import { makeRandom, pickSeed, type Random } from './random.js';
import { makeTwilioError, type TwilioError } from './twilio-error.js';

/** The faults that refuse a request before it is processed. */
export type RefusalFault = Extract<FaultKind, '429' | '500' | '503'>;

/** What happens to one create request: refused before processing, dropped after acceptance, or neither. */
export type FaultDecision = { refuse: RefusalFault | undefined; dropIfAccepted: boolean };

// Twilio's wording: https://www.twilio.com/docs/errors/20429 ("never processed and is always safe to retry"),
// and the 2010 API's generic 5xx codes.
const REFUSALS: Readonly<Record<RefusalFault, TwilioError>> = {
  '429': makeTwilioError(20429),
  '500': makeTwilioError(20500),
  '503': makeTwilioError(20503),
};

/**
 * Decides a request's fate from two uniform draws: `refusalDraw` falls into the 429, 500 or 503 band (in that
 * order) or past them; `dropDraw` decides a drop. Both are always drawn, so the nth request's fate depends
 * only on the seed and n, whatever happened to the requests before it.
 */
export function decideFault(settings: FaultSettings, refusalDraw: number, dropDraw: number): FaultDecision {
  const bands: Array<[RefusalFault, number]> = [
    ['429', settings.rate429 ?? 0],
    ['500', settings.rate500 ?? 0],
    ['503', settings.rate503 ?? 0],
  ];
  let edge = 0;
  let refuse: RefusalFault | undefined;
  for (const [kind, share] of bands) {
    edge += share;
    if (refuse === undefined && refusalDraw < edge) refuse = kind;
  }
  return { refuse, dropIfAccepted: dropDraw < (settings.acceptThenDrop ?? 0) };
}

/** The current fault settings and their random stream; both can change while the sandbox runs. */
export class FaultInjector {
  #settings: FaultSettings = {};
  #random: Random = makeRandom(pickSeed());
  /** Apart from the create draws, so that listing never changes which creates get a fault. */
  #listRandom: Random = makeRandom(pickSeed());

  constructor(settings: FaultSettings = {}) {
    this.set(settings);
  }

  get settings(): FaultSettings {
    return this.#settings;
  }

  /** Replaces every setting (absent ones are off). A seed restarts the sequence; without one it carries on. */
  set(settings: FaultSettings): void {
    const parsed = parseFaultSettings(settings);
    if (!parsed.ok) throw new RangeError(parsed.reason);
    this.#settings = parsed.settings;
    if (parsed.settings.seed !== undefined) {
      this.#random = makeRandom(parsed.settings.seed);
      this.#listRandom = makeRandom(parsed.settings.seed + 1);
    }
  }

  decide(): FaultDecision {
    return decideFault(this.#settings, this.#random(), this.#random());
  }

  /** Whether to refuse this list request. */
  refuseList(): boolean {
    return this.#listRandom() < (this.#settings.listErrors ?? 0);
  }
}

/**
 * Injects the configured faults into create requests (and refusals into list requests), after authentication (a bad login is answered as
 * usual) and around processing: a refusal answers without processing; a drop lets the message be created
 * and then asks the server to cut the connection instead of answering.
 */
export function injectFaults(injector: FaultInjector): Middleware {
  return async (request, next) => {
    if (request.route.kind === 'messages' && request.method === 'GET' && injector.refuseList()) {
      return replyError(REFUSALS['503']);
    }
    if (request.route.kind !== 'messages' || request.method !== 'POST') return next(request);
    const decision = injector.decide();
    if (decision.refuse !== undefined) {
      const retryAfter = injector.settings.retryAfterSeconds;
      const headers =
        decision.refuse === '429' && retryAfter !== undefined ? { 'Retry-After': String(retryAfter) } : {};
      return { ...replyError(REFUSALS[decision.refuse]), headers, fault: decision.refuse };
    }
    const reply = await next(request);
    return reply.status === 201 && decision.dropIfAccepted ? { ...reply, abort: true, fault: 'drop' } : reply;
  };
}
