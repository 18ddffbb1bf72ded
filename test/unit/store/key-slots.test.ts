import { describe, expect, it } from '@jest/globals';
import calculateSlot from 'cluster-key-slot';

import type { CampaignName } from '../../../src/domain/campaign.js';
import { chainOf, type RateGroups } from '../../../src/domain/rate-group.js';
import { parseSender } from '../../../src/domain/sender.js';
import { makeKeys, SEND_QUEUE_TAGS, sendQueueTagOf } from '../../../src/store/keys.js';

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

  it('puts each (campaign, lane) queue in one slot of five, spread over the slot space, apart from the campaign’s', () => {
    const campaign = 'spring-sale' as CampaignName;
    // BullMQ's keys of a queue are `<prefix>:<queue name>:<part>`; the queue name begins with its tag.
    const wait = keys.sendQueueKey(campaign, 'p14155550100', 'wait');
    expect(wait).toMatch(/^herald:\{send-\d+\}spring-sale~p14155550100:wait$/);
    const bullKeys = ['wait', 'active', 'meta', 'marker', 'p14155550101', 'stalled'].map((part) =>
      keys.sendQueueKey(campaign, 'p14155550100', part),
    );
    expect(new Set(bullKeys.map((key) => calculateSlot(key))).size).toBe(1);
    expect(sendQueueTagOf(wait)).toBe(SEND_QUEUE_TAGS.find((tag) => wait.includes(`{${tag}}`)));

    // The five tags sit in the middle of the five fifths of the slots, so masters that split the slots evenly
    // (redis-cli --cluster create) each get their share.
    expect(SEND_QUEUE_TAGS.map((tag) => calculateSlot(`{${tag}}`))).toEqual([1638, 4915, 8192, 11469, 14746]);
    // A campaign's lanes use every tag, in about equal numbers, and a wait's wake key shares its tag's slot.
    const lanes = Array.from({ length: 1000 }, (_, index) => `p1415555${String(index).padStart(4, '0')}`);
    const perSlot = new Map<number, number>();
    for (const lane of lanes) {
      const slot = calculateSlot(keys.sendQueueKey(campaign, lane, 'marker'));
      perSlot.set(slot, (perSlot.get(slot) ?? 0) + 1);
    }
    expect(perSlot.size).toBe(5);
    for (const count of perSlot.values()) expect(count).toBeGreaterThan(150);
    for (const tag of SEND_QUEUE_TAGS) expect(calculateSlot(keys.wakeups('p1', tag))).toBe(calculateSlot(`{${tag}}`));
    expect(calculateSlot(wait)).not.toBe(calculateSlot(keys.campaign(campaign)));
  });

  it('refuses to take a tag from a key that is not a send queue’s', () => {
    expect(() => sendQueueTagOf('herald:campaign:{spring-sale}')).toThrow("not a send queue's key");
  });
});
