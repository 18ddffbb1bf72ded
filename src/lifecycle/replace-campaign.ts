import { setTimeout as sleep } from 'node:timers/promises';

import type { CampaignName } from '../domain/campaign.js';
import { HeraldError } from '../lib/herald-error.js';
import { CampaignControl } from '../queue/campaign-control.js';
import type { CampaignRecord, CampaignStore } from '../queue/campaign-store.js';
import type { Keys } from '../store/keys.js';
import type { RedisClient } from '../redis/redis-connection.js';
import { formatZoned } from '../lib/zoned-time.js';
import { deleteCampaignData } from './delete-campaign.js';

/** The campaign cannot be changed: it has begun sending, has ended, or its file is still being read. */
export class ReplaceRefusedError extends HeraldError {
  override name = 'ReplaceRefusedError';
}

/** How long a replacement waits for the jobs workers hold to go back to their queue once the campaign is paused. */
const IDLE_TIMEOUT_MS = 10_000;

/**
 * Why the campaign cannot be replaced, or undefined: only one that has not sent anything (no send has begun, so
 * `startedAt` is unset) and is not being read from its file. Pure.
 */
export function findReplaceRefusal(record: CampaignRecord, zone: string): string | undefined {
  const name = record.spec.name;
  if (record.startedAt !== undefined) {
    return (
      `campaign ${name} began sending at ${formatZoned(Date.parse(record.startedAt), zone)}; it cannot be ` +
      'changed any more: use a new --campaign name'
    );
  }
  if (record.state === 'finished' || record.state === 'cancelled') {
    return `campaign ${name} is ${record.state}; it cannot be changed: use a new --campaign name`;
  }
  if (record.ingest !== 'done') return `campaign ${name} is still being read from its file by another herald send`;
  return undefined;
}

/**
 * Clears a campaign that has not sent anything, so that `herald send --replace` can create it again under the same
 * name with another message, media, senders or start time. It is paused first: from then on no worker begins a send
 * for it, and `startedAt` (set in the same step as a send's begin) is read again to be sure none began meanwhile;
 * the jobs workers hold go back to the queue, and then everything of the campaign is deleted. A campaign that
 * turned out to have begun is resumed as it was and refused.
 */
export async function clearUnstartedCampaign(
  connection: RedisClient,
  keys: Keys,
  store: CampaignStore,
  name: CampaignName,
  zone: string,
): Promise<void> {
  const before = await store.get(name);
  if (before === undefined) return;
  const refusal = findReplaceRefusal(before, zone);
  if (refusal !== undefined) throw new ReplaceRefusedError(refusal);
  const control = new CampaignControl(connection, keys, store);
  await control.pause(name);
  const paused = await store.get(name);
  const late = paused === undefined ? undefined : findReplaceRefusal(paused, zone);
  if (late !== undefined) {
    if (before.state !== 'paused') await control.resume(name);
    throw new ReplaceRefusedError(late);
  }
  const deadline = Date.now() + IDLE_TIMEOUT_MS;
  while ((await control.activeJobs(name)) > 0 && Date.now() < deadline) await sleep(100);
  await deleteCampaignData(connection, keys, name, before.spec);
}
