import { Gauge, type Registry } from 'prom-client';

import type { SenderHold } from '../domain/sender-hold.js';
import type { HeldSender } from '../queue/sender-holds.js';

export interface HoldsSnapshot {
  account: SenderHold | undefined;
  senders: readonly HeldSender[];
}

/**
 * Senders and the account on hold, read from Redis at scrape time by the exporter (like the campaign series), so a
 * dashboard or an alert sees a halt however many workers there are: a halt needs an operator; a pause (the daily
 * cap) ends by itself at the time it shows.
 */
export function registerHoldMetrics(registry: Registry): (snapshot: HoldsSnapshot) => void {
  const registers = [registry];
  const halted = new Gauge({
    name: 'herald_sender_halted',
    help: '1 for a sender halted by Twilio’s answer (21212, 21606) until an operator resumes it (herald senders resume).',
    labelNames: ['sender', 'code'],
    registers,
  });
  const accountHalted = new Gauge({
    name: 'herald_account_halted',
    help: '1 when every send is halted by Twilio’s answer (20003, credentials) until an operator resumes the account.',
    labelNames: ['code'],
    registers,
  });
  const pausedUntil = new Gauge({
    name: 'herald_sender_paused_until_seconds',
    help: 'Unix time at which a paused sender (63038 daily cap) resumes by itself.',
    labelNames: ['sender', 'code'],
    registers,
  });
  return ({ account, senders }) => {
    halted.reset();
    accountHalted.reset();
    pausedUntil.reset();
    if (account?.state === 'halted') accountHalted.set({ code: account.code }, 1);
    for (const { senderId, hold } of senders) {
      if (hold.state === 'halted') halted.set({ sender: senderId, code: hold.code }, 1);
      else pausedUntil.set({ sender: senderId, code: hold.code }, Math.round(hold.until / 1000));
    }
  };
}
