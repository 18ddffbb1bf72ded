import { buildCampaignSpec, type SendOptions } from '../../src/cli/campaign-options.js';
import type { CampaignSpec } from '../../src/domain/campaign.js';

/** A campaign spec built the way `herald send` builds it (phone column, no media unless given); throws if invalid. */
export function testSpec(options: Partial<SendOptions> & Pick<SendOptions, 'campaign' | 'from'>): CampaignSpec {
  const built = buildCampaignSpec({ media: [], toColumn: 'phone', ...options }, new Date());
  if (!built.ok) throw new Error(built.reason);
  return built.spec;
}
