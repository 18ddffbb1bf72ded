import { paceIntervalMs } from '../domain/pacing.js';
import type { Volume } from './plan-tally.js';

export interface SenderDuration {
  senderId: string;
  messages: number;
  /** SMS segments among them. */
  segments: number;
  /** The sender's limit in messages (SMS: segments) per second. */
  mps: number;
  paceCost: number;
  seconds: number;
}

/**
 * How long each sender needs for its share at its limit, paced as the workers pace it (domain/pacing.ts: SMS
 * counted in segments); the campaign takes as long as its slowest sender, as senders
 * send in parallel. A lower bound: it assumes enough workers, no throttling and no retries. Pure.
 */
export function estimateDuration(
  bySender: Readonly<Record<string, Volume>>,
  mpsOf: (senderId: string) => number,
): { seconds: number; senders: SenderDuration[] } {
  const senders = Object.entries(bySender).map(([senderId, volume]) => {
    const mps = mpsOf(senderId);
    return {
      senderId,
      messages: volume.messages,
      segments: volume.segments,
      mps,
      paceCost: volume.paceCost,
      seconds: paceIntervalMs(volume.paceCost, mps) / 1000,
    };
  });
  return { seconds: Math.max(0, ...senders.map((sender) => sender.seconds)), senders };
}
