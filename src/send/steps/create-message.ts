import { isOutOfMemoryError } from '../../queue/redis-memory.js';
import { NotWritten, RequestNotSentError } from '../request-not-sent.js';
import type { SendStep } from '../send-job.js';
import { clientForSend } from '../twilio-client.js';
import { checkBeforeWrite, giveBackCount } from './check-before-write.js';
import { gateAndBegin } from './gate-and-begin.js';

/**
 * The create call, through the official SDK, on a client for this one send: once the request holds a connected
 * socket, the compliance checks are made again (check-before-write.ts), the campaign gate is asked and the recipient
 * marked in flight (gate-and-begin.ts), and only then is the request written. A closed gate (paused, cancelled, scheduled, already settled) gives the send its verdict and the
 * request is never written. Twilio's answer (or error) and the call's time are kept for the steps after.
 */
export const createMessage: SendStep = {
  name: 'create-message',
  async run(send, deps) {
    const params = send.params;
    if (params === undefined) throw new Error('create-message runs after compose');
    const client = clientForSend(deps.client, async () => {
      if (!(await checkBeforeWrite(send, deps))) throw new NotWritten('a compliance rule holds it back');
      if (!(await gateAndBegin(send, deps))) {
        // An earlier attempt that may have reached Twilio (look-up) keeps the count it made.
        if (send.verdict?.kind !== 'look-up') await giveBackCount(send, deps);
        throw new NotWritten('the campaign gate did not let it go');
      }
      send.startedAt = deps.clock.now();
    });
    const started = performance.now();
    try {
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
