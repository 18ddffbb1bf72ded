import { type CampaignSpec, parseCampaignName, type SenderEntry } from '../domain/campaign.js';
import { isChannel } from '../domain/channel.js';
import { isCountryCode } from '../domain/e164.js';
import { parseSender, senderId } from '../domain/sender.js';

/** `herald send` options as commander parsed them. */
export interface SendOptions {
  campaign: string;
  from: string[];
  body?: string;
  media: string[];
  channel?: string;
  contentSid?: string;
  contentVariables?: string;
  toColumn: string;
  defaultCountry?: string;
}

export type SpecBuild = { ok: true; spec: CampaignSpec } | { ok: false; reason: string };

const CONTENT_SID = /^HX[0-9a-fA-F]{32}$/;

/** Turns command-line options into a campaign spec, or the first problem as one line. */
export function buildCampaignSpec(options: SendOptions, now: Date): SpecBuild {
  const name = parseCampaignName(options.campaign);
  if (!name.ok) return name;
  if (options.from.length === 0) return { ok: false, reason: 'at least one --from sender is required' };
  const senders: SenderEntry[] = [];
  for (const text of options.from) {
    const parsed = parseSender(text);
    if (!parsed.ok) return parsed;
    if (senders.some((entry) => senderId(entry.sender) === senderId(parsed.sender))) {
      return { ok: false, reason: `sender ${text} is given twice` };
    }
    senders.push({ sender: parsed.sender });
  }
  if (options.channel !== undefined && !isChannel(options.channel)) {
    return { ok: false, reason: `--channel must be sms, mms or whatsapp, not "${options.channel}"` };
  }
  if (options.contentSid !== undefined && !CONTENT_SID.test(options.contentSid)) {
    return { ok: false, reason: '--content-sid must be HX followed by 32 hex digits' };
  }
  const contentVariables = parseContentVariables(options.contentVariables);
  if (!contentVariables.ok) return contentVariables;
  if (contentVariables.value !== undefined && options.contentSid === undefined) {
    return { ok: false, reason: '--content-variables needs --content-sid' };
  }
  if (options.body === undefined && options.media.length === 0 && options.contentSid === undefined) {
    return { ok: false, reason: 'give a message: --body, --media or --content-sid' };
  }
  const country = options.defaultCountry?.toUpperCase();
  if (country !== undefined && !isCountryCode(country)) {
    return {
      ok: false,
      reason: `--default-country "${options.defaultCountry}" is not an ISO country code (e.g. US, GB)`,
    };
  }
  return {
    ok: true,
    spec: {
      name: name.name,
      ...(options.channel !== undefined && isChannel(options.channel) ? { channel: options.channel } : {}),
      templates: {
        ...(options.body === undefined ? {} : { body: options.body }),
        media: options.media,
        ...(options.contentSid === undefined ? {} : { contentSid: options.contentSid }),
        ...(contentVariables.value === undefined ? {} : { contentVariables: contentVariables.value }),
      },
      senders,
      toColumn: options.toColumn,
      ...(country !== undefined && isCountryCode(country) ? { defaultCountry: country } : {}),
      createdAt: now.toISOString(),
    },
  };
}

function parseContentVariables(
  text: string | undefined,
): { ok: true; value: Record<string, string> | undefined } | { ok: false; reason: string } {
  if (text === undefined) return { ok: true, value: undefined };
  const problem = {
    ok: false as const,
    reason: '--content-variables must be a JSON object of strings, e.g. {"1":"{{first_name}}"}',
  };
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return problem;
    const entries = Object.entries(parsed);
    if (!entries.every(([, value]) => typeof value === 'string')) return problem;
    return { ok: true, value: Object.fromEntries(entries) as Record<string, string> };
  } catch {
    return problem;
  }
}
