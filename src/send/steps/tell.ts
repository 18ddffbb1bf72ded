import type { SendAttempt } from '../../observe/send-events.js';
import type { Send, SendStep } from '../send-job.js';

type Told = Pick<SendAttempt, 'outcome' | 'code' | 'reason' | 'sid'>;

/**
 * Tells metrics and logs what became of the attempt (the `attempt` event), and that the campaign finished when this
 * send was its last. A job that only waits (a window, a hold, a scheduled start, a paused campaign) tells nothing.
 */
export const tell: SendStep = {
  name: 'tell',
  acts: true,
  async run(send, deps) {
    const told = toldOf(send);
    if (told !== undefined) {
      const { job, data } = send;
      deps.events.emit('attempt', {
        campaign: send.target.spec.name,
        senderId: send.senderId,
        channel: data.channel,
        cost: data.segments,
        jobId: job.id ?? '',
        line: data.line,
        ...told,
        ...(send.durationSeconds === undefined ? {} : { durationSeconds: send.durationSeconds }),
      });
    }
    const finished = send.finishedCampaign === true || (send.verdict?.kind === 'skipped' && send.verdict.finished);
    if (finished) deps.events.emit('campaign:finished', { campaign: send.target.spec.name });
  },
};

function toldOf(send: Send): Told | undefined {
  const verdict = send.verdict;
  switch (verdict?.kind) {
    case 'sent':
      return { outcome: 'sent', sid: verdict.sid, ...(verdict.reason === undefined ? {} : { reason: verdict.reason }) };
    case 'failed':
      return { outcome: 'failed', code: verdict.code, reason: verdict.reason };
    case 'unknown':
      return { outcome: 'unknown', code: verdict.code, reason: verdict.reason };
    case 'skipped':
      return { outcome: 'skipped', reason: verdict.reason };
    case 'retry':
      return { outcome: 'retry', code: verdict.code, reason: verdict.reason };
    case 'later':
      return verdict.retry === undefined ? undefined : { outcome: 'retry', ...verdict.retry };
    default:
      return undefined;
  }
}
