import { Counter, type Registry } from 'prom-client';

import { RECORD_RESULTS } from '../store/receipts.js';
import { CALLBACK_RESULTS, REPLY_RESULTS, type SendEvents, WEBHOOK_REJECTIONS } from './send-events.js';

const REPLY_INTENTS = ['opt-out', 'opt-in', 'help', 'other'] as const;

const FETCH_RESULTS = [...RECORD_RESULTS, 'not-final', 'gone', 'failed'] as const;

/**
 * This process's series of delivery receipts and replies: the signed status callbacks its webhook answered, the requests it
 * refused before trusting them, and the statuses it fetched from Twilio for messages whose callbacks never came.
 */
export function registerReceiptMetrics(registry: Registry, events: SendEvents): void {
  const registers = [registry];
  const callbacks = new Counter({
    name: 'herald_status_callbacks_total',
    help:
      'Signed status callbacks this process answered, by result: recorded, stale (repeated or out of order), ' +
      'unknown-recipient, other-message, ignored (untracked status), invalid, unavailable (Redis away: 503).',
    labelNames: ['result'],
    registers,
  });
  const rejected = new Counter({
    name: 'herald_webhook_rejected_total',
    help:
      'Requests the webhook (status callbacks and replies) of this process refused before trusting them, by reason: not-found, method, ' +
      'media-type, too-large, unsigned, signature, malformed, timeout, connections (over the limit).',
    labelNames: ['reason'],
    registers,
  });
  const fetched = new Counter({
    name: 'herald_receipts_fetched_total',
    help:
      'Statuses this process fetched from Twilio for sent messages without a final receipt, by result: what ' +
      'recording it did (recorded, stale, …), not-final (asked again later), gone (no such message), failed.',
    labelNames: ['result'],
    registers,
  });
  const replies = new Counter({
    name: 'herald_replies_total',
    help:
      'Signed incoming messages (replies) this process answered, by intent (opt-out, opt-in, help, other; unknown ' +
      'for a form it could not read) and result: recorded, invalid, unavailable (Redis away: 503).',
    labelNames: ['intent', 'result'],
    registers,
  });
  // Every label from the start, at 0: a series that appears only with its first event has no rate yet.
  for (const result of CALLBACK_RESULTS) callbacks.inc({ result }, 0);
  for (const reason of WEBHOOK_REJECTIONS) rejected.inc({ reason }, 0);
  for (const result of FETCH_RESULTS) fetched.inc({ result }, 0);
  events.on('receipt', ({ result }) => callbacks.inc({ result }));
  events.on('webhook:rejected', ({ reason }) => rejected.inc({ reason }));
  for (const intent of REPLY_INTENTS) {
    for (const result of REPLY_RESULTS) if (result !== 'invalid') replies.inc({ intent, result }, 0);
  }
  replies.inc({ intent: 'unknown', result: 'invalid' }, 0);
  events.on('reply', ({ intent, result }) => replies.inc({ intent, result }));
  events.on('receipt:fetched', ({ result }) => fetched.inc({ result }));
}
