import type { Channel } from '../domain/channel.js';
import type { CountryPrices, PriceTable } from './price-table.js';
import type { Volume } from './plan-tally.js';

export interface CostLine {
  country: string;
  channel: Channel;
  messages: number;
  /** SMS segments (SMS only). */
  segments: number;
  unitPrice: number;
  /** `segment` for SMS, `message` for MMS and WhatsApp. */
  unit: 'segment' | 'message';
  cost: number;
}

export interface CostEstimate {
  currency: string;
  /** The table's source and date, printed with the estimate so an example table is never taken for a quote. */
  source: string;
  asOf: string;
  total: number;
  lines: CostLine[];
  /** Messages the table has no price for (no row for their country or channel, and no `*`). */
  unpriced: { country: string; channel: Channel; messages: number }[];
}

/**
 * Prices each (country, channel) group: SMS per segment, MMS and WhatsApp per message, with the country's row of
 * the table or else its `*` row. Pure.
 */
export function estimateCost(byCountry: Readonly<Record<string, Volume>>, table: PriceTable): CostEstimate {
  const { currency, source, asOf } = table;
  const estimate: CostEstimate = { currency, source, asOf, total: 0, lines: [], unpriced: [] };
  for (const [key, volume] of Object.entries(byCountry).sort(([a], [b]) => a.localeCompare(b))) {
    const [country = '??', channelText = 'sms'] = key.split('|');
    const channel = channelText as Channel;
    const row: CountryPrices | undefined = table.prices[country] ?? table.prices['*'];
    const unitPrice = row === undefined ? undefined : channel === 'sms' ? row.smsSegment : row[channel];
    if (unitPrice === undefined) {
      estimate.unpriced.push({ country, channel, messages: volume.messages });
      continue;
    }
    const unit = channel === 'sms' ? 'segment' : 'message';
    const cost = unitPrice * (unit === 'segment' ? volume.segments : volume.messages);
    estimate.lines.push({
      country,
      channel,
      messages: volume.messages,
      segments: volume.segments,
      unitPrice,
      unit,
      cost,
    });
    estimate.total += cost;
  }
  return estimate;
}
