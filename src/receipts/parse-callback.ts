import type { CampaignName } from '../domain/campaign.js';
import type { Channel } from '../domain/channel.js';
import { type StatusStep, statusStep } from './status-order.js';

/** One status callback, reduced to what herald records about the recipient. */
export interface Receipt {
  campaign: CampaignName;
  /** The recipient as the ledger knows it: E.164 without `whatsapp:`. */
  to: string;
  sid: string;
  status: string;
  step: StatusStep;
  /** Twilio's ErrorCode (on undelivered and failed), else `none`. */
  code: string;
  channel: Channel;
  /** Who sent it, as the callback says: its From, and its MessagingServiceSid when it went through one. */
  from?: string;
  messagingServiceSid?: string;
}

export type CallbackParse =
  | { ok: true; receipt: Receipt }
  /** A well-formed callback for a status herald does not track (e.g. an inbound one): acknowledged, not recorded. */
  | { ok: false; ignore: true; reason: string }
  | { ok: false; ignore: false; reason: string };

const MESSAGE_SID = /^(SM|MM)[0-9a-fA-F]{32}$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const ERROR_CODE = /^\d{1,6}$/;
const WHATSAPP = 'whatsapp:';

/**
 * Reads Twilio's form fields (https://www.twilio.com/docs/messaging/guides/track-outbound-message-status). The channel
 * is what herald sent: WhatsApp when the address has the `whatsapp:` prefix, else MMS when the SID is an `MM…` one,
 * else SMS. Twilio adds fields without notice, so unknown ones are ignored (they were covered by the signature all the
 * same). Pure.
 */
export function parseStatusCallback(campaign: CampaignName, form: Readonly<Record<string, string>>): CallbackParse {
  const sid = form['MessageSid'] ?? form['SmsSid'] ?? '';
  const status = (form['MessageStatus'] ?? form['SmsStatus'] ?? '').toLowerCase();
  const address = form['To'] ?? '';
  if (!MESSAGE_SID.test(sid)) return { ok: false, ignore: false, reason: 'MessageSid is missing or malformed' };
  if (status === '') return { ok: false, ignore: false, reason: 'MessageStatus is missing' };
  const whatsapp = address.toLowerCase().startsWith(WHATSAPP);
  const to = whatsapp ? address.slice(WHATSAPP.length) : address;
  if (!E164.test(to)) return { ok: false, ignore: false, reason: 'To is not an E.164 number' };
  const step = statusStep(status);
  if (step === undefined) return { ok: false, ignore: true, reason: `status ${status} is not tracked` };
  const given = form['ErrorCode'] ?? '';
  // Labels stay bounded even if a field were odd: anything but a short number is "other".
  const code = given === '' || given === '0' ? 'none' : ERROR_CODE.test(given) ? given : 'other';
  const channel: Channel = whatsapp ? 'whatsapp' : sid.startsWith('MM') ? 'mms' : 'sms';
  const from = form['From'];
  const service = form['MessagingServiceSid'];
  return {
    ok: true,
    receipt: {
      campaign,
      to,
      sid,
      status,
      step,
      code,
      channel,
      ...(from === undefined || from === '' ? {} : { from }),
      ...(service === undefined || service === '' ? {} : { messagingServiceSid: service }),
    },
  };
}
