import type { Channel, MessageContent } from '../domain/channel.js';
import type { CountryCode } from '../domain/e164.js';

/** Messages and SMS segments of one group (a country and channel, or a sender). */
export interface Volume {
  messages: number;
  /** SMS segments for SMS; MMS and WhatsApp messages count 0 here. */
  segments: number;
  /** What the messages cost against the sender's rate: SMS segments, else 1 each (domain/channel.ts paceCost). */
  paceCost: number;
}

/** What a dry run learns from the rows that would be queued. */
export interface PlanTally {
  byChannel: Partial<Record<Channel, Volume>>;
  /** Key: `<country>|<channel>`; country `??` when the number's country is not known. */
  byCountry: Record<string, Volume>;
  bySender: Record<string, Volume>;
  encodings: { 'GSM-7': number; 'UCS-2': number };
  /** Characters that forced UCS-2, with how many messages each forced. */
  ucs2Chars: Record<string, number>;
}

export function emptyTally(): PlanTally {
  return { byChannel: {}, byCountry: {}, bySender: {}, encodings: { 'GSM-7': 0, 'UCS-2': 0 }, ucs2Chars: {} };
}

/** Adds one message that would be sent. Pure apart from updating `tally`. */
export function addToTally(
  tally: PlanTally,
  message: { content: MessageContent; country: CountryCode | undefined; senderId: string; paceCost: number },
): void {
  const { content, country, senderId, paceCost } = message;
  const segments = content.channel === 'sms' ? content.segments.segments : 0;
  const add = (volume: Volume | undefined): Volume => ({
    messages: (volume?.messages ?? 0) + 1,
    segments: (volume?.segments ?? 0) + segments,
    paceCost: (volume?.paceCost ?? 0) + paceCost,
  });
  tally.byChannel[content.channel] = add(tally.byChannel[content.channel]);
  const countryKey = `${country ?? '??'}|${content.channel}`;
  tally.byCountry[countryKey] = add(tally.byCountry[countryKey]);
  tally.bySender[senderId] = add(tally.bySender[senderId]);
  if (content.channel !== 'sms') return;
  tally.encodings[content.segments.encoding] += 1;
  for (const char of content.segments.ucs2Chars) tally.ucs2Chars[char] = (tally.ucs2Chars[char] ?? 0) + 1;
}
