import { isOutOfMemoryError } from '../../redis/redis-memory.js';
import { NotWritten, RequestNotSentError } from '../request-not-sent.js';
import type { Send, SendDeps, SendStep } from '../send-job.js';
import { clientForSend } from '../twilio-client.js';
import { checkBeforeWrite, giveBackCount } from './check-before-write.js';
import { gateAndBegin } from './gate-and-begin.js';
import { takeSlot } from './take-capacity.js';

/**
 * How late after its slot a send may still go. Pacing at the full limit, Twilio's queue drains exactly as fast as
 * sends arrive, so a wait there, once built, lasts as long as the sender sends: a message waits at most as long as
 * the latest of the sends before it was late, as long as none was later than this. So a send later than this (a
 * stalled or starting process) takes a new slot, behind those already taken, instead of bunching up with them: the
 * wait at Twilio stays under this, for a slot wasted now and then.
 */
const LATE_MS = 500;
/** New slots a late send takes at most, before it goes with the last (a host too starved to be on time at all). */
const MAX_RETAKES = 2;

/**
 * The create call, through the official SDK, on a client for this one send: once the request holds a connected
 * socket, the compliance checks are made again (check-before-write.ts), the campaign gate is asked and the recipient
 * marked in flight (gate-and-begin.ts), and only then is the request written. A compliance hold or a closed gate
 * (paused, cancelled, scheduled, already settled) gives the send its verdict and the request is never written. Once
 * the request is written, the mark records it (look-up-lost.ts reads the difference), without the send waiting for
 * that: a mark left unwritten only makes a lost attempt's lookup the judge. Twilio's answer (or error) and the call's
 * time are kept for the steps after.
 */
export const createMessage: SendStep = {
  name: 'create-message',
  async run(send, deps) {
    const params = send.params;
    if (params === undefined) throw new Error('create-message runs after compose');
    const started = performance.now();
    try {
      if (!(await beOnTime(send, deps))) return;
      const client = clientForSend(
        deps.client,
        async () => {
          if (!(await checkBeforeWrite(send, deps))) throw new NotWritten('a compliance rule holds it back');
          if (!(await gateAndBegin(send, deps))) {
            // An earlier attempt that may have reached Twilio (look-up) keeps the count it made.
            if (send.verdict?.kind !== 'look-up') await giveBackCount(send, deps);
            throw new NotWritten('the campaign gate did not let it go');
          }
          send.startedAt = deps.clock.now();
        },
        () => markWritten(send, deps),
      );
      const message = await client.messages.create(params);
      send.answer = { ok: true, sid: message.sid };
    } catch (error) {
      // Redis too full to take the gate's write: nothing was marked or sent, and this is no answer of Twilio's. The
      // error goes to BullMQ as it is, whose own write then fails alike and makes the worker stop taking jobs until
      // Redis has room (campaign-workers.ts, onOutOfMemory), instead of one retry line per job in hand.
      if (error instanceof RequestNotSentError && isOutOfMemoryError(error)) throw error.cause;
      // A closed gate has given the send its verdict; any other error is Twilio's answer, or the lack of one.
      if (!(error instanceof NotWritten)) send.answer = { ok: false, error };
    } finally {
      send.durationSeconds = (performance.now() - started) / 1000;
      send.release?.();
      delete send.release;
    }
  },
};

/**
 * Records in the ledger that the send's request was written. Not awaited: it fails only when Redis does, and an
 * unrecorded write only means that a lost attempt is judged by its lookup alone (see look-up-lost.ts).
 */
function markWritten(send: Send, deps: SendDeps): void {
  if (send.mark === undefined) return;
  deps.ledger.markWritten(send.target.spec.name, send.data.to, send.mark).catch(() => undefined);
}

/** Takes a new slot while the send is too late for its own; false when a hold stopped it (its verdict is set). */
async function beOnTime(send: Send, deps: SendDeps): Promise<boolean> {
  for (let retakes = 0; retakes < MAX_RETAKES; retakes += 1) {
    if (Date.now() - (send.slotAt ?? Date.now()) <= LATE_MS) return true;
    if (!(await takeSlot(send, deps))) return false;
  }
  return true;
}
