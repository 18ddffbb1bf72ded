import { type CampaignName, parseCampaignName } from '../domain/campaign.js';

/** Path of the status webhook, below HERALD_PUBLIC_URL; the campaign is its last segment. */
const CALLBACK_PATH = '/twilio/status/';

/** The StatusCallback of a campaign's sends: `${publicUrl}/twilio/status/<campaign>`. */
export function statusCallbackUrl(publicUrl: string, campaign: CampaignName): string {
  return `${publicUrl.replace(/\/+$/, '')}${CALLBACK_PATH}${campaign}`;
}

/**
 * The campaign a request path names, whatever prefix a reverse proxy kept in front of `/twilio/status/`, or
 * undefined when the path is not a status callback's.
 */
export function campaignOfPath(path: string): CampaignName | undefined {
  const at = path.lastIndexOf(CALLBACK_PATH);
  if (at === -1) return undefined;
  const parsed = parseCampaignName(path.slice(at + CALLBACK_PATH.length));
  return parsed.ok ? parsed.name : undefined;
}
