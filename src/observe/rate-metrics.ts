import { Gauge, type Registry } from 'prom-client';

import type { RateOverview } from '../rate/rate-overview.js';

/** What the rate series show: every sender and group with its hold, and the groups' daily counts. */
export type RateSnapshot = Pick<RateOverview, 'account' | 'senders' | 'groups'>;

export const EMPTY_RATE_SNAPSHOT: RateSnapshot = { senders: [], groups: [] };

/**
 * Holds and daily caps, read from Redis at scrape time by the exporter (like the campaign series), so a dashboard or
 * an alert sees them however many workers there are: a halt needs an operator; a hold until a time (a daily cap)
 * ends by itself at the time it shows.
 */
export function registerRateMetrics(registry: Registry): (snapshot: RateSnapshot) => void {
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
  const heldUntil = new Gauge({
    name: 'herald_held_until_seconds',
    help: 'Unix time at which a held sender or group (a daily cap reached: 63038, 30027 or its own) sends again by itself.',
    labelNames: ['subject', 'level', 'code'],
    registers,
  });
  const dailyUsed = new Gauge({
    name: 'herald_group_daily_segments',
    help: 'Segments (MMS and WhatsApp: messages) a group with a daily cap has sent since its last reset.',
    labelNames: ['group'],
    registers,
  });
  const dailyCap = new Gauge({
    name: 'herald_group_daily_cap_segments',
    help: 'A group’s daily cap in segments; it is held until the reset once its count reaches this.',
    labelNames: ['group'],
    registers,
  });
  return ({ account, senders, groups }) => {
    for (const gauge of [halted, accountHalted, heldUntil, dailyUsed, dailyCap]) gauge.reset();
    if (account?.state === 'halted') accountHalted.set({ code: account.code }, 1);
    if (account?.state === 'held')
      heldUntil.set({ subject: 'account', level: 'account', code: account.code }, Math.round(account.until / 1000));
    const seen = new Set<string>();
    for (const { hold: on } of senders) {
      if (on === undefined || on.level === 'account' || seen.has(on.subject)) continue;
      seen.add(on.subject);
      if (on.hold.state === 'halted') halted.set({ sender: on.subject, code: on.hold.code }, 1);
      else
        heldUntil.set({ subject: on.subject, level: on.level, code: on.hold.code }, Math.round(on.hold.until / 1000));
    }
    for (const group of groups) {
      if (group.hold?.state === 'held' && !seen.has(group.name))
        heldUntil.set(
          { subject: group.name, level: group.kind, code: group.hold.code },
          Math.round(group.hold.until / 1000),
        );
      if (group.dailyCap === undefined) continue;
      dailyUsed.set({ group: group.name }, group.dailyCap.used);
      dailyCap.set({ group: group.name }, group.dailyCap.segments);
    }
  };
}
