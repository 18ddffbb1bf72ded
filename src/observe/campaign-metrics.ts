import { Counter, Gauge, type Registry } from 'prom-client';

import { estimateCost } from '../estimate/estimate-cost.js';
import type { PriceTable } from '../estimate/price-table.js';
import { CHANNEL_TOTALS, CODED_TOTALS } from './count-fields.js';
import { JOB_STATES, type CampaignTotals } from './read-totals.js';

type Described = readonly [name: string, help: string];

const PER_CHANNEL: Readonly<Record<(typeof CHANNEL_TOTALS)[number], Described>> = {
  queued: ['herald_messages_queued_total', 'Recipients queued for sending (each recipient once per campaign).'],
  sent: ['herald_messages_sent_total', 'Messages Twilio accepted (HTTP 201).'],
  unknown: [
    'herald_messages_unknown_total',
    'Recipients whose send may have reached Twilio without an answer; never resent.',
  ],
  delivered: [
    'herald_messages_delivered_total',
    'Recipients whose message Twilio reported delivered (or read), from status callbacks.',
  ],
  read: ['herald_messages_read_total', 'WhatsApp recipients who read the message, from status callbacks.'],
};

const PER_CODE: Readonly<Record<(typeof CODED_TOTALS)[number], Described>> = {
  failed: [
    'herald_messages_failed_total',
    'Recipients failed for good at send time (Twilio refused, content unsendable, or retries ran out), by reason class and code.',
  ],
  undelivered: [
    'herald_messages_undelivered_total',
    'Recipients whose accepted message Twilio reported undelivered or failed, from status callbacks, by code.',
  ],
};

/**
 * The series kept in Redis, exact across every process and restart: campaign totals, configured limits and
 * queue depths. Only the holder of the exporter lease fills them (see exporter-lease.ts); in every other process
 * they are empty, so `sum(…)` over all scraped workers counts each message once.
 */
export function registerCampaignMetrics(
  registry: Registry,
  prices: PriceTable,
): (totals: readonly CampaignTotals[]) => void {
  const registers = [registry];
  const channelCounters = CHANNEL_TOTALS.map((field) => {
    const [name, help] = PER_CHANNEL[field];
    return [field, new Counter({ name, help, labelNames: ['campaign', 'channel'], registers })] as const;
  });
  const codedCounters = CODED_TOTALS.map((field) => {
    const [name, help] = PER_CODE[field];
    return [
      field,
      new Counter({ name, help, labelNames: ['campaign', 'channel', 'reason', 'code'], registers }),
    ] as const;
  });
  const rejected = new Counter({
    name: 'herald_rows_rejected_total',
    help: 'CSV rows refused at ingest (bad number, missing column, unsendable content, …).',
    labelNames: ['campaign'],
    registers,
  });
  const cancelled = new Counter({
    name: 'herald_messages_cancelled_total',
    help: 'Recipients not texted because their campaign was cancelled (herald cancel) before their send began.',
    labelNames: ['campaign'],
    registers,
  });
  const resent = new Counter({
    name: 'herald_messages_resent_total',
    help: 'Recipients queued again by herald resend-failed; each is counted again in the totals its new message reaches.',
    labelNames: ['campaign'],
    registers,
  });
  const sentUnits = new Counter({
    name: 'herald_sent_units_total',
    help: 'What Twilio bills for the messages it accepted: SMS segments for SMS, messages for MMS and WhatsApp, by the recipient’s country.',
    labelNames: ['campaign', 'channel', 'country'],
    registers,
  });
  const cost = new Gauge({
    name: 'herald_cost_estimate',
    help: `Estimated cost of what the campaign sent so far: herald_sent_units_total priced by the worker's price table (HERALD_PRICES_FILE; else herald's example table), in its currency; units with no price are left out.`,
    labelNames: ['campaign', 'currency'],
    registers,
  });
  const limit = new Gauge({
    name: 'herald_sender_limit_mps',
    help: 'The limit the pacer holds a sender to: messages per second (SMS: segments per second).',
    labelNames: ['campaign', 'sender'],
    registers,
  });
  const jobs = new Gauge({
    name: 'herald_queue_jobs',
    help: `Jobs in a (campaign, lane) queue by state (${JOB_STATES.join(', ')}): a lane is a sender, or a pool whose numbers share its limit.`,
    labelNames: ['campaign', 'lane', 'state'],
    registers,
  });

  return (totals) => {
    for (const [, counter] of [...channelCounters, ...codedCounters]) counter.reset();
    rejected.reset();
    cancelled.reset();
    resent.reset();
    sentUnits.reset();
    cost.reset();
    limit.reset();
    jobs.reset();
    for (const { campaign, series, senders, lanes } of totals) {
      for (const [field, counter] of channelCounters) {
        for (const { channel, value } of series[field]) {
          counter.inc({ campaign, channel }, value);
        }
      }
      for (const [field, counter] of codedCounters) {
        for (const { channel, code, reason, value } of series[field]) {
          counter.inc({ campaign, channel, reason, code }, value);
        }
      }
      rejected.inc({ campaign }, series.rejected);
      cancelled.inc({ campaign }, series.cancelled);
      resent.inc({ campaign }, series.resent);
      for (const { channel, country, value } of series.sentUnits) sentUnits.inc({ campaign, channel, country }, value);
      if (series.sentUnits.length > 0) {
        const volumes = Object.fromEntries(
          series.sentUnits.map(({ channel, country, value }) => [
            `${country}|${channel}`,
            { messages: value, segments: channel === 'sms' ? value : 0, paceCost: value },
          ]),
        );
        cost.set({ campaign, currency: prices.currency }, estimateCost(volumes, prices).total);
      }
      for (const sender of senders) limit.set({ campaign, sender: sender.senderId }, sender.limitMps);
      for (const { lane, jobs: counts } of lanes) {
        for (const state of JOB_STATES) jobs.set({ campaign, lane, state }, counts[state]);
      }
    }
  };
}
