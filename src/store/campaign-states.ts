import type { RedisClient } from '../redis/redis-connection.js';

import type { CampaignName } from '../domain/campaign.js';
import type { Keys } from './keys.js';
import { type BeginResult, parseBeginAnswer } from './ledger.js';
import { RedisScript } from './redis-script.js';

/*
 * Pause, resume, cancel and scheduled starts. The campaign record's `state` is the switch every worker reads just
 * before a send (gate-and-begin-3.lua), so a change made here holds in every process the moment the script returns.
 */

const GATE_AND_BEGIN = RedisScript.load('gate-and-begin', { replicated: true });
const TRANSITION = RedisScript.load('transition', { replicated: true });
const CANCEL_QUEUED = RedisScript.load('cancel-queued', { replicated: true });

export type ControlAction = 'pause' | 'resume' | 'cancel';

/** The gate's answers when it is closed to a send; when it is open, the ledger's begin answers instead. */
export type GateAnswer =
  | { kind: 'paused' }
  /** `closed`: that was the cancelled campaign's last outstanding recipient. */
  | { kind: 'cancelled'; closed: boolean }
  /** Scheduled and not yet due. */
  | { kind: 'wait'; until: number };

/** One send that asks the gate: its recipient, the time, and the token of the attempt for the in-flight mark. */
export interface GateAsk {
  to: string;
  now: Date;
  token: string;
}

/** The closed gate's answers; the ledger's begin answers never look like these. */
const GATE_ANSWERS = /^(paused|cancelled|cancelled-closed|wait:\d+)$/;

/**
 * The gate and, when it is open, the ledger's begin, for sends of one campaign, answered each as if alone, in
 * order. A scheduled campaign whose time has come turns running here; the first send records `startedAt`.
 */
export async function gateAndBegin(
  client: RedisClient,
  keys: Keys,
  campaign: CampaignName,
  asks: readonly GateAsk[],
): Promise<(GateAnswer | BeginResult)[]> {
  const args = asks.flatMap(({ to, now, token }) => [to, now.getTime(), now.toISOString(), token]);
  const answers = (await GATE_AND_BEGIN.run(client, campaignKeys(keys, campaign), args)) as unknown[];
  return answers.map((value) => {
    const answer = String(value);
    return GATE_ANSWERS.test(answer) ? parseGateAnswer(answer) : parseBeginAnswer(answer);
  });
}

function parseGateAnswer(answer: string): GateAnswer {
  if (answer === 'paused') return { kind: 'paused' };
  if (answer.startsWith('wait:')) return { kind: 'wait', until: Number(answer.slice('wait:'.length)) };
  return { kind: 'cancelled', closed: answer === 'cancelled-closed' };
}

/**
 * Moves the campaign to another state if the move is allowed (transition-2.lua): `outcome` says whether it moved,
 * was already there, or may not; `state` is its state now.
 */
export async function transitionCampaign(
  client: RedisClient,
  keys: Keys,
  campaign: CampaignName,
  action: ControlAction,
  now = new Date(),
): Promise<{ outcome: 'changed' | 'unchanged' | 'refused'; state: string }> {
  const [outcome, state] = (await TRANSITION.run(
    client,
    [keys.counts(campaign), keys.campaign(campaign)],
    [action, now.getTime(), now.toISOString()],
  )) as ['changed' | 'unchanged' | 'refused', string];
  return { outcome, state };
}

/**
 * Cancels the recipients given that are still queued, keeping each one's report record (recipient-detail.ts; ''
 * for none) beside it. `closed`: the campaign has nothing left queued or in flight.
 */
export async function cancelQueued(
  client: RedisClient,
  keys: Keys,
  campaign: CampaignName,
  recipients: readonly { to: string; record: string }[],
  now = new Date(),
): Promise<{ marked: number; closed: boolean }> {
  const args = [now.toISOString(), ...recipients.flatMap(({ to, record }) => [to, record])];
  const [marked, closed] = (await CANCEL_QUEUED.run(
    client,
    [...campaignKeys(keys, campaign), keys.details(campaign)],
    args,
  )) as [number, number];
  return { marked, closed: closed === 1 };
}

function campaignKeys(keys: Keys, campaign: CampaignName): string[] {
  return [keys.recipients(campaign), keys.counts(campaign), keys.campaign(campaign)];
}
