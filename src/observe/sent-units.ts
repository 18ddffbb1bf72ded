import { type Channel, isChannel } from '../domain/channel.js';
import { type CostEstimate, estimateCost } from '../estimate/estimate-cost.js';
import type { Volume } from '../estimate/plan-tally.js';
import type { PriceTable } from '../estimate/price-table.js';
import type { CampaignCounts } from '../queue/campaign-store.js';

/**
 * What a campaign has been billed for so far, kept in its counters hash beside the totals: `sent-units:<channel>:
 * <country>` counts what Twilio prices for every message it accepted, SMS segments for SMS and messages otherwise
 * (`??` when the number's country is not known). A message sent again by `herald resend-failed` is billed again, so
 * these only grow. Pure.
 */
const PREFIX = 'sent-units:';

export function nameSentUnitsField(channel: Channel, country: string | undefined): string {
  return `${PREFIX}${channel}:${country ?? '??'}`;
}

/** The billed units by `<country>|<channel>`, as the cost estimate groups volumes (estimate/plan-tally.ts). */
export function readSentUnits(counts: CampaignCounts): Record<string, Volume> {
  const byCountry: Record<string, Volume> = {};
  for (const [field, value] of Object.entries(counts)) {
    if (!field.startsWith(PREFIX)) continue;
    const [channel = '', country = '??'] = field.slice(PREFIX.length).split(':');
    if (!isChannel(channel) || !(value > 0)) continue;
    byCountry[`${country}|${channel}`] =
      channel === 'sms'
        ? { messages: 0, segments: value, paceCost: value }
        : { messages: value, segments: 0, paceCost: value };
  }
  return byCountry;
}

/** The estimated cost of what the campaign has sent so far, by the price table, and the units it has no price for. */
export function priceSentUnits(
  counts: CampaignCounts,
  prices: PriceTable,
): { estimate: CostEstimate; unpricedUnits: number } {
  const units = readSentUnits(counts);
  const estimate = estimateCost(units, prices);
  const unpricedUnits = estimate.unpriced.reduce(
    (sum, line) => sum + (units[`${line.country}|${line.channel}`]?.paceCost ?? 0),
    0,
  );
  return { estimate, unpricedUnits };
}
