import type { Channel } from './channel.js';
import type { CountryCode } from './e164.js';
import type { Sender } from './sender.js';
import type { SendWindow } from './send-window.js';

/** A campaign's name: letters, digits, `.`, `_` and `-`, 1–64 characters; it becomes part of Redis keys. */
export type CampaignName = string & { readonly __brand: 'CampaignName' };

const CAMPAIGN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function parseCampaignName(text: string): { ok: true; name: CampaignName } | { ok: false; reason: string } {
  return CAMPAIGN_NAME.test(text)
    ? { ok: true, name: text as CampaignName }
    : { ok: false, reason: `campaign name "${text}" must be 1–64 letters, digits, '.', '_' or '-'` };
}

/** The templates of a campaign, stored once per campaign; jobs carry only the variables they use. */
export interface MessageTemplates {
  /** Mustache template of the Body, e.g. `Hi {{first_name}}`. */
  body?: string;
  /** Mustache templates of MediaUrls; one that renders empty for a row is left out for that row. */
  media: readonly string[];
  /** An approved WhatsApp Content Template (`HX…`), sent instead of a Body. */
  contentSid?: string;
  /** ContentVariables of the template: variable key → Mustache template, e.g. `{"1": "{{first_name}}"}`. */
  contentVariables?: Readonly<Record<string, string>>;
}

export interface SenderEntry {
  sender: Sender;
  /** Throughput override in messages (SMS: segments) per second; absent means the kind's default. */
  mps?: number;
  /** The rate group the sender belongs to (herald groups); absent leaves its membership as configured. */
  group?: string;
}

/** Everything herald needs to know about a campaign to send any of its messages. Stored in Redis as JSON. */
export interface CampaignSpec {
  name: CampaignName;
  /** Channel of rows whose `channel` cell is empty (or absent); without it the row's content decides. */
  channel?: Channel;
  templates: MessageTemplates;
  senders: readonly SenderEntry[];
  /**
   * Sender id → the queue lane its recipients wait in (lanes.ts), fixed when the campaign was created; absent, each
   * sender is a lane of its own.
   */
  lanes?: Readonly<Record<string, string>>;
  /** The CSV column that holds the recipient's number. */
  toColumn: string;
  defaultCountry?: CountryCode;
  /** The CSV column that records each recipient's consent (`--consent-column`); rows without it are refused. */
  consentColumn?: string;
  /** Hours of the recipient's local day in which they may be texted (`--window`); absent, any hour. */
  window?: SendWindow;
  /**
   * Declared not marketing (`--transactional`: codes, receipts, alerts the recipient asked for): US quiet hours and
   * the frequency cap do not apply, and the campaign neither waits for them nor counts against the cap. Absent: they
   * apply.
   */
  transactional?: true;
  createdAt: string;
}

/**
 * `transactional` when declared so (no quiet hours, no frequency cap), else `marketing`: the rules a campaign meets.
 */
export function campaignKind(spec: Pick<CampaignSpec, 'transactional'>): 'transactional' | 'marketing' {
  return spec.transactional === true ? 'transactional' : 'marketing';
}
