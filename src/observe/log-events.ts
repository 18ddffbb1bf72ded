import { describeHold } from '../domain/hold.js';
import { resumeCommandOf } from '../domain/rate-group.js';
import { LogSummary } from './log-summary.js';
import type { Logger } from './logger.js';
import type { SendEvents } from './send-events.js';

/** Shortest time between two lines about requests the webhook refused for the same reason. */
const REJECTION_LOG_INTERVAL_MS = 10_000;

/**
 * One log line per outcome: each settled send (sent, failed, unknown) and each recorded status callback at
 * info, each incoming reply at info, retries at warn (they may hide a sender in trouble), a redelivered job that found its recipient settled
 * and a repeated callback at debug. Lines carry the campaign, sender and job ids, which are what an operator
 * searches by; the job id is the recipient's number.
 */
export function logSendEvents(events: SendEvents, logger: Logger): void {
  events.on('attempt', (attempt) => {
    const level = attempt.outcome === 'skipped' ? 'debug' : attempt.outcome === 'retry' ? 'warn' : 'info';
    logger[level](attempt, `send ${attempt.outcome}`);
  });
  // One line per hold, whichever process put it on: a halt needs an operator, a hold until a time ends by itself.
  events.on('held', ({ campaign, subject, level, hold }) => {
    const fields = {
      ...(campaign === undefined ? {} : { campaign }),
      subject,
      level,
      state: hold.state,
      code: hold.code,
    };
    const line = describeHold(hold, describeSubject(level, subject), resumeCommandOf(level, subject));
    if (hold.state === 'halted') logger.error(fields, line);
    else logger.warn({ ...fields, until: new Date(hold.until).toISOString() }, line);
  });
  // A recipient held by quiet hours or the frequency cap waits by itself: debug, as a night can hold millions. The
  // line names the campaign and the rule; herald report says who waits and until when.
  events.on('recipient:held', ({ campaign, reason, until }) =>
    logger.debug({ campaign, reason, until: new Date(until).toISOString() }, 'recipient held'),
  );
  // Anyone can reach the webhook: refusals are counted in a metric and logged at a bounded rate, so a flood of
  // them cannot fill the disk.
  const rejections = new LogSummary(logger, {
    level: 'warn',
    message: 'webhook request rejected',
    intervalMs: REJECTION_LOG_INTERVAL_MS,
  });
  events.on('webhook:rejected', (rejection) => rejections.note(rejection.reason, rejection));
  events.on('receipt', (receipt) => {
    const level =
      receipt.result === 'recorded'
        ? 'info'
        : receipt.result === 'stale' || receipt.result === 'ignored'
          ? 'debug'
          : 'warn';
    logger[level](receipt, `status callback ${receipt.result}`);
  });
  // A reply's line names its intent and the sender written to, never the number that wrote or what it wrote.
  events.on('reply', (reply) => {
    logger[reply.result === 'recorded' ? 'info' : 'warn'](reply, `reply ${reply.result}: ${reply.intent}`);
  });
}

/** How a hold's subject reads in a sentence: `sender p1…`, `group acme`, `all sending (the whole account)`. */
export function describeSubject(level: string, subject: string): string {
  if (level === 'account') return 'all sending (the whole account)';
  return level === 'sender' ? `sender ${subject}` : `group ${subject}`;
}
