import { CHANNELS, type Channel } from '../domain/channel.js';
import type { CampaignCounts } from '../queue/campaign-store.js';
import { type ReasonClass, reasonClassOf } from './reason-class.js';
import { readSentUnits } from './sent-units.js';

/** Totals of a campaign with one value per channel. */
export const CHANNEL_TOTALS = ['queued', 'sent', 'unknown', 'delivered', 'read'] as const;
/** Totals of a campaign with one value per channel and error code. */
export const CODED_TOTALS = ['failed', 'undelivered'] as const;

export interface ChannelValue {
  channel: Channel;
  value: number;
}
export interface CodedValue extends ChannelValue {
  /** Empty for the series each channel has at 0 (see readCampaignSeries). */
  code: string;
  reason: ReasonClass | '';
}

export type CampaignSeries = Record<(typeof CHANNEL_TOTALS)[number], ChannelValue[]> &
  Record<(typeof CODED_TOTALS)[number], CodedValue[]> & {
    rejected: number;
    cancelled: number;
    resent: number;
    /** What Twilio bills for the messages it accepted, by channel and country (see sent-units.ts). */
    sentUnits: (ChannelValue & { country: string })[];
  };

/** The prefix of the fields `herald resend-failed` raises as it lowers the totals it moves a recipient out of. */
const REQUEUED = 'requeued:';

/**
 * Turns a campaign's counters hash (`sent:sms`, `failed:sms:21610`, `undelivered:mms:30003`, …; written by the
 * store's settle and record-receipt scripts) into the values of its series. Every channel the campaign queued on
 * gets every total, 0 until it moves, so that sums and ratios over them never come out empty (a total by code also
 * has a series with an empty code that stays 0, as PromQL's sum of no series is no value, not 0). The series are
 * counters: how many times a recipient reached the state, so a recipient that `herald resend-failed` moved back out
 * of it (its `requeued:` twin, the store's requeue script) still counts, and a total never goes down. `herald
 * status` reads the hash itself: how many are in the state now. Pure.
 */
export function readCampaignSeries(counts: CampaignCounts): CampaignSeries {
  const total = (field: string) => (counts[field] ?? 0) + (counts[`${REQUEUED}${field}`] ?? 0);
  const channels = CHANNELS.filter((channel) => counts[`queued:${channel}`] !== undefined);
  const perChannel = (field: string): ChannelValue[] =>
    channels.map((channel) => ({ channel, value: total(`${field}:${channel}`) }));
  const perCode = (field: string): CodedValue[] =>
    channels.flatMap((channel) => {
      const prefix = `${field}:${channel}:`;
      const codes = new Set(
        Object.keys(counts)
          .map((key) => (key.startsWith(REQUEUED) ? key.slice(REQUEUED.length) : key))
          .filter((key) => key.startsWith(prefix))
          .map((key) => key.slice(prefix.length)),
      );
      const coded = [...codes].map((code) => ({
        channel,
        code,
        reason: reasonClassOf(code),
        value: total(`${prefix}${code}`),
      }));
      return [...coded, { channel, code: '', reason: '' as const, value: 0 }];
    });
  return {
    queued: perChannel('queued'),
    sent: perChannel('sent'),
    unknown: perChannel('unknown'),
    delivered: perChannel('delivered'),
    read: perChannel('read'),
    failed: perCode('failed'),
    undelivered: perCode('undelivered'),
    rejected: counts['rejected'] ?? 0,
    // Not per channel: `herald cancel` marks recipients from the ledger, which records their sender, not channel.
    cancelled: counts['cancelled'] ?? 0,
    resent: counts['resent'] ?? 0,
    sentUnits: Object.entries(readSentUnits(counts)).map(([key, volume]) => {
      const [country = '??', channel] = key.split('|') as [string, Channel];
      return { channel, country, value: volume.paceCost };
    }),
  };
}
