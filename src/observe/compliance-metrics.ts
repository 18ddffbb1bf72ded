import { Counter, type Registry } from 'prom-client';

import { HOLD_REASONS } from '../store/held-recipients.js';
import type { SendEvents } from './send-events.js';

/** The opt-outs a worker records itself; imports and operators' additions are made by the CLI, which says how many. */
const WORKER_OPT_OUT_SOURCES = ['reply', 'twilio-21610'] as const;

/** This process's series of the compliance rules: recipients held back by reason, opt-outs recorded by source. */
export function registerComplianceMetrics(registry: Registry, events: SendEvents): void {
  const registers = [registry];
  const held = new Counter({
    name: 'herald_recipients_held_total',
    help:
      'Sends this process held back for a compliance rule, by reason: quiet-hours (outside the hours US law allows ' +
      'in the recipient’s state), frequency-cap (HERALD_FREQUENCY_CAP reached). Each wait counts once; the job ' +
      'waits, using no attempt.',
    labelNames: ['reason'],
    registers,
  });
  const optOuts = new Counter({
    name: 'herald_opt_outs_total',
    help:
      'Numbers this process put on the opt-out list, by source: reply (an opt-out word to the reply webhook), ' +
      'twilio-21610 (Twilio refused a send because the recipient had replied STOP).',
    labelNames: ['source'],
    registers,
  });
  for (const reason of HOLD_REASONS) held.inc({ reason }, 0);
  for (const source of WORKER_OPT_OUT_SOURCES) optOuts.inc({ source }, 0);
  events.on('recipient:held', ({ reason }) => held.inc({ reason }));
  events.on('opted-out', ({ source }) => optOuts.inc({ source }));
  events.on('reply', ({ effect }) => {
    if (effect === 'opted-out') optOuts.inc({ source: 'reply' });
  });
}
