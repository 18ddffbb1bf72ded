import type { CampaignSpec, SenderEntry } from './campaign.js';
import { chainOf, type RateChain, type RateGroups } from './rate-group.js';
import { senderId } from './sender.js';

/**
 * Queue lanes, pure. A campaign's recipients wait in one queue per lane, not per sender: a lane is the narrowest
 * limit its senders' sends are paced by, so every job of a lane waits for the same capacity and none holds up
 * another's. A 10DLC pool whose numbers have no limit of their own (the pool's rate is theirs) is one lane however
 * many numbers it has; a toll-free number or a short code, limited itself, is a lane of its own. A lane is named
 * like a sender id (`p14155550100`) or, for a group, `g.<group name>` (a sender id never holds a dot).
 */

/** The lane of a sender's sends: its chain's narrowest link with a limit, else its broadest. */
export function laneOfChain(chain: RateChain): string {
  const link = chain.links.find((candidate) => candidate.limit !== undefined) ?? chain.links.at(-1)!;
  return link.level === 'sender' ? link.label : `g.${link.label}`;
}

/** Each sender's lane under `groups`, as a campaign created now fixes them. */
export function assignLanes(senders: readonly SenderEntry[], groups: RateGroups): Record<string, string> {
  return Object.fromEntries(
    senders.map((entry) => [senderId(entry.sender), laneOfChain(chainOf(groups, entry.sender))]),
  );
}

/** The lane a sender's recipients of this campaign wait in. */
export function laneOf(spec: CampaignSpec, id: string): string {
  return spec.lanes?.[id] ?? id;
}

/** The campaign's lanes, each once, in the order of their first sender. */
export function lanesOf(spec: CampaignSpec): string[] {
  return [...new Set(spec.senders.map((entry) => laneOf(spec, senderId(entry.sender))))];
}

/** The campaign's senders whose recipients wait in `lane`. */
export function sendersOfLane(spec: CampaignSpec, lane: string): SenderEntry[] {
  return spec.senders.filter((entry) => laneOf(spec, senderId(entry.sender)) === lane);
}
