import { describe, expect, it } from '@jest/globals';
import calculateSlot from 'cluster-key-slot';

import type { CampaignName } from '../../../src/domain/campaign.js';
import { makeKeys } from '../../../src/store/keys.js';

/**
 * Redis Cluster runs a script only if every key it touches is in one hash slot. These are the groups of keys that
 * herald's scripts use together (see docs/scaling.md); BullMQ's keys of a queue are `<prefix>:<queue name>:…`.
 */
describe('hash slots of the keys used together', () => {
  const keys = makeKeys('herald');
  const names = ['spring-sale', 'a', 'q3-promo_2026'] as CampaignName[];

  it('puts every key of a campaign (ledger, counts, record, rejected, details, receipts) in one slot', () => {
    for (const name of names) {
      const slots = [keys.campaign, keys.recipients, keys.counts, keys.rejected, keys.details, keys.receipts].map(
        (key) => calculateSlot(key(name)),
      );
      expect(new Set(slots).size).toBe(1);
    }
  });

  it('puts a sender’s pacing keys and its hold (read by the reserve script) in one slot, whatever the prefix', () => {
    for (const prefix of ['herald', 'other']) {
      const other = makeKeys(prefix);
      const slot = calculateSlot(other.senderPace('p14155550100'));
      expect(calculateSlot(other.senderDispatches('p14155550100'))).toBe(slot);
      expect(calculateSlot(other.senderHold('p14155550100'))).toBe(slot);
    }
  });

  it('gives each (campaign, sender) queue its own slot group, apart from the campaign’s', () => {
    const campaign = 'spring-sale' as CampaignName;
    // BullMQ's keys of a queue are `<prefix>:<queue name>:<part>`.
    expect(keys.sendQueueKey(campaign, 'p14155550100', 'wait')).toBe('herald:{spring-sale~p14155550100}:wait');
    const bullKeys = ['wait', 'active', 'meta', 'p14155550101', 'stalled'].map((part) =>
      keys.sendQueueKey(campaign, 'p14155550100', part),
    );
    expect(new Set(bullKeys.map((key) => calculateSlot(key))).size).toBe(1);
    // Different senders of one campaign hash independently, so a campaign's queues can spread over the shards.
    const slots = Array.from({ length: 20 }, (_, index) =>
      calculateSlot(keys.sendQueueKey(campaign, `p1415555${String(index).padStart(4, '0')}`, 'wait')),
    );
    expect(new Set(slots).size).toBeGreaterThan(15);
  });
});
