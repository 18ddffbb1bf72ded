import { describeHold } from '../domain/hold.js';
import { resumeCommandOf } from '../domain/rate-group.js';
import type { Logger } from './logger.js';
import type { SendEvents } from './send-events.js';

/**
 * One log line per outcome: each settled send (sent, failed, unknown) and each recorded status callback at
 * info, retries at warn (they may hide a sender in trouble), a redelivered job that found its recipient settled
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
  events.on('receipt', (receipt) => {
    const level =
      receipt.result === 'recorded'
        ? 'info'
        : receipt.result === 'stale' || receipt.result === 'ignored'
          ? 'debug'
          : 'warn';
    logger[level](receipt, `status callback ${receipt.result}`);
  });
}

/** How a hold's subject reads in a sentence: `sender p1…`, `group acme`, `all sending (the whole account)`. */
export function describeSubject(level: string, subject: string): string {
  if (level === 'account') return 'all sending (the whole account)';
  return level === 'sender' ? `sender ${subject}` : `group ${subject}`;
}
