import type { LimitFunction } from 'p-limit';

import type { Hold } from '../../domain/hold.js';
import type { Send, SendDeps, SendStep } from '../send-job.js';

/**
 * How often a job of a halted sender looks again whether it was resumed; `herald senders resume` also makes the
 * held jobs due at once, so this only matters to a resume done some other way.
 */
export const HALT_RECHECK_MS = 60_000;
/** Spreads the jobs of a link whose hold ends, so they do not all ask for a slot in the same millisecond. */
const RESUME_SPREAD_MS = 1000;
/**
 * A send that waited this long for its slot reads the holds again before it goes: a hold put on meanwhile would
 * otherwise let every waiting send meet the same answer. A shorter wait is covered by the read in the take itself.
 */
const HOLD_RECHECK_AFTER_MS = 50;

/**
 * Takes the send's capacity: none while the account or any link of its chain is on hold (the job waits, using no
 * attempt, and its recipient stays queued); else its cost from every link of its chain, waiting for the slot; then a
 * place among this process's sends in flight, so that nothing waits between the in-flight mark and the request.
 */
export const takeCapacity: SendStep = {
  name: 'take-capacity',
  async run(send, deps) {
    if (await takeSlot(send, deps)) send.release = await placeInFlight(deps.inFlight);
  },
};

/**
 * The send's pacing slot, waited for: true once it has come, else false with the send's verdict (a hold: the job
 * waits). create-message takes a new one for a send that would leave too late at its first (see there).
 */
export async function takeSlot(send: Send, deps: SendDeps): Promise<boolean> {
  const account = await deps.holds.accountHoldOf();
  if (account !== undefined) return waitOut(send, account, deps.clock.now());
  const taken = await deps.pacer.take(send.chain, send.cost);
  if (taken.kind === 'held') {
    if (taken.capped) {
      deps.events.emit('held', {
        campaign: send.target.spec.name,
        subject: taken.link.label,
        level: taken.link.level,
        hold: taken.hold,
      });
    }
    return waitOut(send, taken.hold, deps.clock.now());
  }
  if (taken.waitedMs >= HOLD_RECHECK_AFTER_MS) {
    const [held, accountNow] = await Promise.all([deps.holds.heldIn(send.chain), deps.holds.accountHoldOf()]);
    const hold = accountNow ?? held?.hold;
    if (hold !== undefined) return waitOut(send, hold, deps.clock.now());
  }
  send.slotAt = taken.at;
  return true;
}

function waitOut(send: Send, hold: Hold, now: number): false {
  send.verdict = { kind: 'later', until: Math.ceil(resumeAt(hold, now)) };
  return false;
}

/** When a job held back by `hold` looks again. */
export function resumeAt(hold: Hold, now: number): number {
  return hold.state === 'held' ? hold.until + Math.random() * RESUME_SPREAD_MS : now + HALT_RECHECK_MS;
}

/** A place among the sends `limit` allows at once, held until the returned function is called. */
function placeInFlight(limit: LimitFunction): Promise<() => void> {
  return new Promise((granted) => {
    void limit(() => new Promise<void>((done) => granted(done)));
  });
}
