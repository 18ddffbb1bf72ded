import type { E164 } from '../domain/e164.js';
import { bindingRuleAt, nextLegalInstant, type RecipientHours, recipientHoursOf } from './quiet-hours.js';
import { type SendingHoursLaw, sendingHoursLaw } from './sending-hours.js';

/** Why a recipient may not be texted now, and until when: what the audit trail keeps of a quiet-hours hold. */
export interface LegalHold {
  /** The next legal minute, ms since the epoch. */
  readonly until: number;
  /** The rule that binds longest (`federal`, or a state's code) and the zone it is read in. */
  readonly rule: string;
  readonly zone: string;
}

/**
 * A +1 number's hours depend on its first seven digits at most (libphonenumber's zone table keys stop at 1NPANXX;
 * the state and territory go by the area code), so numbers are looked up by that prefix, a bounded few thousand.
 */
const PREFIX_LENGTH = 8;
const MAX_CACHED = 20_000;
const cache = new Map<string, RecipientHours | null>();

/** The US sending hours of a number (undefined outside the US and its territories), cached by its prefix. */
export function usHoursOf(to: E164, law: SendingHoursLaw = sendingHoursLaw()): RecipientHours | undefined {
  if (!to.startsWith('+1')) return undefined;
  const prefix = to.slice(0, PREFIX_LENGTH);
  let hours = law === sendingHoursLaw() ? cache.get(prefix) : undefined;
  if (hours === undefined) {
    hours = recipientHoursOf(to, law) ?? null;
    if (law === sendingHoursLaw()) {
      if (cache.size >= MAX_CACHED) cache.clear();
      cache.set(prefix, hours);
    }
  }
  return hours ?? undefined;
}

/**
 * Whether US law keeps `to` from being texted at `at` (ms since the epoch): undefined when it may be texted now (or
 * is not a US or +1-territory number), else its next legal minute and the rule that binds. Pure.
 */
export function legalHoldAt(to: E164, at: number, law: SendingHoursLaw = sendingHoursLaw()): LegalHold | undefined {
  const hours = usHoursOf(to, law);
  if (hours === undefined) return undefined;
  const instant = new Date(at);
  const next = nextLegalInstant(hours, instant).getTime();
  if (next <= at) return undefined;
  const binding = bindingRuleAt(hours, instant);
  return {
    until: next,
    rule: binding?.rule.id ?? 'federal',
    zone: binding?.zone ?? hours.zones[0] ?? 'America/New_York',
  };
}

/** The law's name for a rule id: `Texas (SB 140, from 2025-09-01)`, `federal (TCPA)`. */
export function ruleNameOf(rule: string, law: SendingHoursLaw = sendingHoursLaw()): string {
  if (rule === 'federal') return law.federal.name;
  return law.states.get(rule)?.name ?? rule;
}
