/** The three ways herald reaches a recipient. */
export const CHANNELS = ['sms', 'mms', 'whatsapp'] as const;
export type Channel = (typeof CHANNELS)[number];

export function isChannel(text: string): text is Channel {
  return (CHANNELS as readonly string[]).includes(text);
}

/** How a body is encoded on the air and how many SMS segments it takes (Twilio bills and paces by segment). */
export interface SegmentCount {
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
  /** Characters that forced UCS-2, each listed once, in order of first appearance; empty for GSM-7. */
  ucs2Chars: readonly string[];
}

/** A rendered message for one recipient, ready to become a Twilio create request. */
export type MessageContent =
  | { channel: 'sms'; body: string; segments: SegmentCount }
  | { channel: 'mms'; body?: string; mediaUrls: readonly string[] }
  | { channel: 'whatsapp'; form: 'session'; body?: string; mediaUrls: readonly string[] }
  | { channel: 'whatsapp'; form: 'template'; contentSid: string; contentVariables?: string };

/** The rate cost of a message against its sender: segments for SMS, one for MMS and WhatsApp. */
export function paceCost(content: MessageContent): number {
  return content.channel === 'sms' ? content.segments.segments : 1;
}
