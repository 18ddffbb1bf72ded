import { type CampaignName, parseCampaignName } from '../domain/campaign.js';

/*
 * The status webhook's path below HERALD_PUBLIC_URL is `/twilio/campaigns/<campaign>/status`. The fixed segment after
 * the name is what makes it unambiguous: Twilio signs the URL followed by the form's pairs concatenated, so were the
 * name last, the end of one campaign's name could slide into the first parameter's (`…/promo-2` + `AccountSid…`
 * signs the same text as `…/promo` + `-2AccountSid…`). A name holds no `/`, so here only one campaign matches.
 */
const PATH = /\/twilio\/campaigns\/([^/]+)\/status$/;

/**
 * The StatusCallback of a campaign's sends: the path is appended to HERALD_PUBLIC_URL's, and its query string, if
 * any (a gateway's `?tenant=7`), stays at the end, where it belongs.
 */
export function statusCallbackUrl(publicUrl: string, campaign: CampaignName): string {
  const queryAt = publicUrl.indexOf('?');
  const base = queryAt === -1 ? publicUrl : publicUrl.slice(0, queryAt);
  const query = queryAt === -1 ? '' : publicUrl.slice(queryAt);
  return `${base.replace(/\/+$/, '')}/twilio/campaigns/${campaign}/status${query}`;
}

/**
 * The incoming-message webhook of every sender: `<HERALD_PUBLIC_URL>/twilio/replies`, the same for every campaign and
 * sender, so there is nothing variable at its end to slide into the signed form.
 */
export function repliesUrl(publicUrl: string): string {
  const queryAt = publicUrl.indexOf('?');
  const base = queryAt === -1 ? publicUrl : publicUrl.slice(0, queryAt);
  const query = queryAt === -1 ? '' : publicUrl.slice(queryAt);
  return `${base.replace(/\/+$/, '')}/twilio/replies${query}`;
}

/** Whether a request path (without its query) is the replies webhook's, whatever prefix a proxy kept before it. */
export function isRepliesPath(path: string): boolean {
  return path.endsWith('/twilio/replies');
}

/**
 * The campaign a request path (without its query) names, whatever prefix a reverse proxy kept in front of
 * `/twilio/campaigns/`, or undefined when the path is not a status callback's.
 */
export function campaignOfPath(path: string): CampaignName | undefined {
  const match = PATH.exec(path);
  if (match === null) return undefined;
  const parsed = parseCampaignName(match[1] ?? '');
  return parsed.ok ? parsed.name : undefined;
}
