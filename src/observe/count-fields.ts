import { CHANNELS, type Channel } from '../domain/channel.js';
import type { CampaignCounts } from '../queue/campaign-store.js';
import { type ReasonClass, reasonClassOf } from './reason-class.js';

/** Totals of a campaign with one value per channel. */
export const CHANNEL_TOTALS = ['queued', 'sent', 'unknown', 'delivered', 'read'] as const;
/** Totals of a campaign with one value per channel and error code. */
export const CODED_TOTALS = ['failed', 'undelivered'] as const;

export interface ChannelValue {
  channel: Channel;
  value: number;
}
export interface CodedValue extends ChannelValue {
  /** Empty for the part of the total no code was recorded for (campaigns settled by an older herald). */
  code: string;
  reason: ReasonClass | '';
}

export type CampaignSeries = Record<(typeof CHANNEL_TOTALS)[number], ChannelValue[]> &
  Record<(typeof CODED_TOTALS)[number], CodedValue[]> & { rejected: number; cancelled: number };

/**
 * Turns a campaign's counters hash (`sent:sms`, `failed:sms:21610`, `undelivered:mms:30003`, …; see
 * ledger-scripts.ts and receipt-scripts.ts) into the values of its series. Every channel the campaign queued on
 * gets every total, 0 until it moves, so that sums and ratios over them never come out empty. Pure.
 */
export function readCampaignSeries(counts: CampaignCounts): CampaignSeries {
  const channels = CHANNELS.filter((channel) => counts[`queued:${channel}`] !== undefined);
  const perChannel = (field: string): ChannelValue[] =>
    channels.map((channel) => ({ channel, value: counts[`${field}:${channel}`] ?? 0 }));
  const perCode = (field: string): CodedValue[] =>
    channels.flatMap((channel) => {
      const prefix = `${field}:${channel}:`;
      const coded = Object.entries(counts)
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, value]) => {
          const code = key.slice(prefix.length);
          return { channel, code, reason: reasonClassOf(code), value };
        });
      const attributed = coded.reduce((sum, entry) => sum + entry.value, 0);
      const rest = Math.max(0, (counts[`${field}:${channel}`] ?? 0) - attributed);
      return [...coded, { channel, code: '', reason: '' as const, value: rest }];
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
  };
}
