import { describe, expect, it } from '@jest/globals';
import calculateSlot from 'cluster-key-slot';

import type { CampaignName } from '../../../src/domain/campaign.js';
import { chainOf, type RateGroups } from '../../../src/domain/rate-group.js';
import { parseSender } from '../../../src/domain/sender.js';
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

  it('keeps every link of a rate chain in one hash whose tag is the chain’s broadest link, and spreads chains', () => {
    const groups: RateGroups = {
      groups: new Map([
        ['acme', { name: 'acme', kind: 'brand' }],
        ['acme-10dlc', { name: 'acme-10dlc', kind: 'pool', parent: 'acme', limit: { count: 75, per: 'second' } }],
      ]),
      senders: new Map([
        ['p14155550100', { group: 'acme-10dlc' }],
        ['p14155550101', { group: 'acme-10dlc' }],
      ]),
    };
    const sender = (from: string) => {
      const parsed = parseSender(from);
      if (!parsed.ok) throw new Error(parsed.reason);
      return parsed.sender;
    };
    const pooled = ['+14155550100', '+14155550101'].map((from) => chainOf(groups, sender(from)));
    expect(pooled.map((chain) => keys.rateChain(chain.tag))).toEqual(['herald:rate:{g:acme}', 'herald:rate:{g:acme}']);
    // Senders in no group each have a chain, and a slot, of their own.
    const alone = Array.from({ length: 20 }, (_, index) =>
      calculateSlot(keys.rateChain(chainOf(groups, sender(`+1415555${String(2000 + index)}`)).tag)),
    );
    expect(new Set(alone).size).toBeGreaterThan(15);
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
