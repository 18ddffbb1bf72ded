import { classifyFailure } from '../classify.js';
import type { SendStep } from '../send-job.js';
import { retryAfterOf } from '../twilio-client.js';

/**
 * Turns Twilio's answer into a verdict: created → sent; an error → what classify.ts makes of its code (the one place
 * it is called): failed for good, retry, look the message up, or stop a link (throttle, hold, halt).
 */
export const classifyAnswer: SendStep = {
  name: 'classify-answer',
  async run(send, deps) {
    const answer = send.answer;
    if (answer === undefined) throw new Error('classify-answer runs after create-message has an answer');
    if (answer.ok) {
      send.verdict = { kind: 'sent', sid: answer.sid };
      return;
    }
    const retryAfterMs = retryAfterOf(answer.error);
    const outcome = classifyFailure(answer.error, {
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(deps.dailyCapHoldMs === undefined ? {} : { dailyCapHoldMs: deps.dailyCapHoldMs }),
      now: deps.clock.now(),
    });
    switch (outcome.kind) {
      case 'failed':
        send.verdict = {
          kind: 'failed',
          code: outcome.code,
          reason: outcome.reason,
          ...(outcome.optOut === true ? { optOut: true as const } : {}),
        };
        return;
      case 'unknown':
        send.verdict = {
          kind: 'look-up',
          since: send.startedAt ?? deps.clock.now(),
          notFound: 'no-answer',
          context: outcome.reason,
        };
        return;
      case 'retry': {
        const code = outcome.code === undefined ? 'transient' : String(outcome.code);
        send.verdict =
          send.job.attemptsMade + 1 >= deps.attempts
            ? { kind: 'failed', code, reason: `gave up after ${deps.attempts} attempts: ${outcome.reason}` }
            : {
                kind: 'retry',
                code,
                reason: outcome.reason,
                ...(outcome.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.retryAfterMs }),
              };
        return;
      }
      default:
        send.verdict = { kind: 'stop-link', outcome };
    }
  },
};
