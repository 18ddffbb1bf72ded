import type { SendStep } from '../send-job.js';

/** The create call, through the official SDK; its answer (or error) and time are kept for the steps after. */
export const createMessage: SendStep = {
  name: 'create-message',
  async run(send, deps) {
    const params = send.params;
    if (params === undefined) throw new Error('create-message runs after compose');
    send.startedAt = Date.now();
    const started = performance.now();
    try {
      const message = await deps.client.messages.create(params);
      send.answer = { ok: true, sid: message.sid };
    } catch (error) {
      send.answer = { ok: false, error };
    } finally {
      send.durationSeconds = (performance.now() - started) / 1000;
      send.release?.();
      delete send.release;
    }
  },
};
