/**
 * Why a sender, a group or the whole account sends nothing for now: held until a time (a daily cap, Twilio's 63038 or
 * 30027), after which it sends again by itself, or halted (a bad From, bad credentials) until an operator resumes
 * it. Its recipients stay queued either way, and their jobs wait without using attempts. ("Pause" is a campaign's
 * state, set by `herald pause`; a hold belongs to what sends.)
 */
export type Hold =
  | { state: 'held'; code: string; reason: string; since: number; until: number }
  | { state: 'halted'; code: string; reason: string; since: number };

/** A hold in force and what it is on: a sender (its id), a group (its name and kind), or the whole account. */
export interface HoldOn {
  subject: string;
  level: 'sender' | 'pool' | 'brand' | 'account';
  hold: Hold;
}

/** The code of a hold put on by herald itself when a group's daily cap is reached. */
export const DAILY_CAP_CODE = 'daily-cap';

/**
 * Reads a hold as Redis keeps it (a JSON object; see hold-1.lua); a hold whose time has come is no hold at all, so a
 * link sends again by itself even if nobody removes it.
 */
export function parseHold(json: string | null | undefined, now: number): Hold | undefined {
  if (json === null || json === undefined || json === '') return undefined;
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const code = String(fields['code'] ?? '');
  const reason = String(fields['reason'] ?? '');
  const since = Number(fields['since'] ?? 0);
  if (fields['state'] === 'halted') return { state: 'halted', code, reason, since };
  if (fields['state'] === 'held') {
    const until = Number(fields['until']);
    return Number.isFinite(until) && until > now ? { state: 'held', code, reason, since, until } : undefined;
  }
  return undefined;
}

/** One line an operator can act on, for logs, `herald senders` and `herald groups`. */
export function describeHold(hold: Hold, subject: string, resume: string): string {
  if (hold.state === 'held') {
    return `${subject} held until ${new Date(hold.until).toISOString()}: ${hold.code} ${hold.reason}; sends again by itself`;
  }
  return `${subject} halted: ${hold.code} ${hold.reason}; its recipients stay queued until an operator fixes this and runs \`${resume}\``;
}
