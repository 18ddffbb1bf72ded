import type { CampaignName } from '../domain/campaign.js';
import type { CampaignRecord } from '../queue/campaign-store.js';
import {
  type CampaignConnection,
  campaignArgument,
  requireCampaign,
  withCampaignStore,
} from './campaign-connection.js';

export interface CampaignSession extends CampaignConnection {
  name: CampaignName;
  record: CampaignRecord;
}

/**
 * Runs a command against one existing campaign: checks the name before Redis is touched, connects (one readable
 * line when it cannot), refuses a campaign that does not exist, and always closes the connection.
 */
export async function withCampaign<T>(campaign: string, run: (session: CampaignSession) => Promise<T>): Promise<T> {
  const name = campaignArgument(campaign);
  return withCampaignStore(async (context) =>
    run({ ...context, name, record: await requireCampaign(context.store, name) }),
  );
}
