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
