import { buildCampaignSpec, type SendOptions } from '../../src/cli/campaign-options.js';
import type { CampaignSpec } from '../../src/domain/campaign.js';

/**
 * A campaign spec built the way `herald send` builds it (phone column, no media unless given); throws if invalid.
 * Declared transactional unless `transactional: false` is given: a test that is not about the compliance rules must
 * pass at any hour (US quiet hours) and however often it texts a number (the frequency cap); the rules' own tests
 * turn it off and control the clock.
 */
export function testSpec(options: Partial<SendOptions> & Pick<SendOptions, 'campaign' | 'from'>): CampaignSpec {
  const built = buildCampaignSpec({ media: [], toColumn: 'phone', transactional: true, ...options }, new Date());
  if (!built.ok) throw new Error(built.reason);
  return built.spec;
}
