import type { DelayRange } from './callback-settings.js';
import { DELAY_MS, type NumberRule, satisfies, SEED, SHARE } from './number-rules.js';

/** What a recipient writes back: Twilio's opt-out keyword, another way of saying it, opting back in, help, chat. */
export const REPLY_KINDS = ['stop', 'stop-words', 'start', 'help', 'text'] as const;
export type ReplyKind = (typeof REPLY_KINDS)[number];

/** How the sandbox plays the recipients of the messages it accepts. */
export interface RecipientOptions {
  /**
   * The incoming-message webhook replies are posted to, signed as Twilio signs them (Twilio's "A message comes in"
   * URL of the sender). Absent: nobody replies on their own, but `POST /sandbox/replies` and `reply()` are still
   * refused, and opt-outs are still honoured.
   */
  replyUrl?: string;
  /** Share of accepted messages whose recipient replies. @defaultValue 0 */
  replyShare?: number;
  /** Relative weights of what they reply. @defaultValue stop only */
  replyMix?: Partial<Record<ReplyKind, number>>;
  /** From the message leaving its sender's queue to the reply. @defaultValue { min: 200, max: 2000 } */
  replyDelayMs?: DelayRange;
  /**
   * WhatsApp's 24-hour session: a free-form WhatsApp message (no ContentSid) to someone who has not written to that
   * sender in the last 24 hours is refused with 63016, as Twilio does. Off by default, because most tests send
   * free-form WhatsApp messages to recipients who never wrote. @defaultValue false
   */
  whatsappSessions?: boolean;
  /** Seed of who replies and what; absent: a random seed. */
  seed?: number;
}

export interface RecipientSettings {
  replyUrl: string | undefined;
  replyShare: number;
  replyMix: ReadonlyArray<readonly [ReplyKind, number]>;
  replyDelayMs: DelayRange;
  whatsappSessions: boolean;
  seed: number | undefined;
}

const WEIGHT: NumberRule = { min: 0, aboveMin: false, max: 1e6, integer: false, describe: 'a weight from 0 to 1e6' };

export function parseRecipientOptions(
  options: RecipientOptions,
): { ok: true; settings: RecipientSettings } | { ok: false; reason: string } {
  const fail = (reason: string) => ({ ok: false as const, reason });
  if (options.replyUrl !== undefined && !/^https?:\/\/[^/]/.test(options.replyUrl))
    return fail('recipients.replyUrl must be an http(s) URL');
  const share = options.replyShare ?? 0;
  if (!satisfies(share, SHARE)) return fail(`recipients.replyShare must be ${SHARE.describe}`);
  if (share > 0 && options.replyUrl === undefined) return fail('recipients.replyShare needs recipients.replyUrl');
  if (options.seed !== undefined && !satisfies(options.seed, SEED))
    return fail(`recipients.seed must be ${SEED.describe}`);
  const delay = options.replyDelayMs ?? { min: 200, max: 2000 };
  if (!satisfies(delay.min, DELAY_MS) || !satisfies(delay.max, DELAY_MS) || delay.min > delay.max)
    return fail(`recipients.replyDelayMs min and max must be ${DELAY_MS.describe}, min not above max`);
  const unknown = Object.keys(options.replyMix ?? {}).filter((kind) => !REPLY_KINDS.includes(kind as ReplyKind));
  if (unknown.length > 0) return fail(`recipients.replyMix: unknown kind ${unknown.join(', ')}`);
  const mix = REPLY_KINDS.map((kind) => [kind, options.replyMix?.[kind] ?? 0] as const);
  for (const [kind, weight] of mix)
    if (!satisfies(weight, WEIGHT)) return fail(`recipients.replyMix.${kind} must be ${WEIGHT.describe}`);
  return {
    ok: true,
    settings: {
      replyUrl: options.replyUrl,
      replyShare: share,
      replyMix: mix.some(([, weight]) => weight > 0) ? mix : [['stop', 1]],
      replyDelayMs: delay,
      whatsappSessions: options.whatsappSessions ?? false,
      seed: options.seed,
    },
  };
}
