/**
 * Why a sender (or the whole account) sends nothing for now: paused until a time (Twilio's daily cap, 63038), after
 * which it resumes by itself, or halted (a bad From, bad credentials) until an operator resumes it. Its recipients
 * stay queued either way.
 */
export type SenderHold =
  | { state: 'paused'; scope: HoldScope; code: string; reason: string; since: number; until: number }
  | { state: 'halted'; scope: HoldScope; code: string; reason: string; since: number };

export type HoldScope = 'sender' | 'account';

/** The account-wide hold is listed under this name beside the senders' ids (which never contain a space). */
export const ACCOUNT_SCOPE_LABEL = 'account';

/**
 * Reads a hold from its Redis hash (fields `state`, `code`, `reason`, `since`, `until`, all strings); a pause whose
 * time has come is no hold at all, so a sender resumes by itself even if nobody deletes the hash.
 */
export function parseSenderHold(
  fields: Readonly<Record<string, string>>,
  scope: HoldScope,
  now: number,
): SenderHold | undefined {
  const { state, code = '', reason = '' } = fields;
  const since = Number(fields['since'] ?? 0);
  if (state === 'halted') return { state, scope, code, reason, since };
  if (state === 'paused') {
    const until = Number(fields['until']);
    return Number.isFinite(until) && until > now ? { state, scope, code, reason, since, until } : undefined;
  }
  return undefined;
}

/** The hold that applies to a send: an account halt outranks anything on the sender; a halt outranks a pause. */
export function effectiveHold(sender: SenderHold | undefined, account: SenderHold | undefined): SenderHold | undefined {
  if (account?.state === 'halted') return account;
  if (sender?.state === 'halted') return sender;
  if (sender === undefined) return account;
  if (account === undefined) return sender;
  return account.state === 'paused' && sender.state === 'paused' && account.until > sender.until ? account : sender;
}

/** One line an operator can act on, for logs and `herald senders`. */
export function describeHold(hold: SenderHold, subject: string): string {
  const what = hold.scope === 'account' ? 'all sending (the whole account)' : `sender ${subject}`;
  if (hold.state === 'paused') {
    return `${what} paused until ${new Date(hold.until).toISOString()}: ${hold.code} ${hold.reason}; resumes by itself`;
  }
  const resume = hold.scope === 'account' ? 'herald senders resume --account' : `herald senders resume ${subject}`;
  return `${what} halted: ${hold.code} ${hold.reason}; its recipients stay queued until an operator fixes this and runs \`${resume}\``;
}
