import { z } from 'zod';

import { isCountryCode } from '../domain/e164.js';

/** What one message costs in one country, in the table's currency. */
const countryPrices = z
  .object({
    /** Per SMS segment (a 2-segment SMS costs twice this). */
    smsSegment: z.number().nonnegative(),
    /** Per MMS message. */
    mms: z.number().nonnegative().optional(),
    /** Per WhatsApp message (Twilio's fee plus Meta's, as you pay them). */
    whatsapp: z.number().nonnegative().optional(),
  })
  .strict();

/**
 * A price table: prices by ISO country code of the recipient, and `*` for every other country. Checked with
 * zod, so a typo in a `--prices` file is one readable line, not a silently wrong estimate.
 */
export const priceTableSchema = z
  .object({
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD'),
    /** The day the prices were taken from the provider's price list. */
    asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD'),
    /** Where the prices come from, printed with every estimate. */
    source: z.string().min(1),
    prices: z
      .record(z.string(), countryPrices)
      .refine((prices) => Object.keys(prices).every((key) => key === '*' || isCountryCode(key)), {
        message: 'keys must be ISO country codes (US, GB, …) or * for the rest',
      }),
  })
  .strict();

export type PriceTable = z.infer<typeof priceTableSchema>;
export type CountryPrices = z.infer<typeof countryPrices>;

export type PriceTableParse = { ok: true; table: PriceTable } | { ok: false; reason: string };

/** Parses a price table from JSON text; the first problem as one line. */
export function parsePriceTable(text: string): PriceTableParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const parsed = priceTableSchema.safeParse(value);
  if (parsed.success) return { ok: true, table: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? '' : `${issue.path.map(String).join('.')}: `;
  return { ok: false, reason: `${where}${issue?.message ?? 'invalid price table'}` };
}

/**
 * The table shipped with herald: AN EXAMPLE, so that `--dry-run` shows the shape of an estimate out of the box.
 * The figures are illustrative, of the order of Twilio's public list prices for outbound messages, without
 * carrier fees or volume discounts; they are not a quote. Supply your own with `--prices <file>`.
 */
export const EXAMPLE_PRICES: PriceTable = {
  currency: 'USD',
  asOf: '2026-11-23',
  source: 'EXAMPLE table shipped with herald: illustrative list-price figures, not your account’s prices',
  prices: {
    US: { smsSegment: 0.0083, mms: 0.022, whatsapp: 0.005 },
    CA: { smsSegment: 0.0083, mms: 0.022, whatsapp: 0.005 },
    GB: { smsSegment: 0.0524, whatsapp: 0.005 },
    '*': { smsSegment: 0.08, whatsapp: 0.005 },
  },
};
