import { describe, expect, it } from '@jest/globals';

import type { CampaignSpec, SenderEntry } from '../../../src/domain/campaign.js';
import { assignLanes, laneOf, lanesOf, sendersOfLane } from '../../../src/domain/lanes.js';
import { parseRateGroupsFile } from '../../../src/domain/rate-group-file.js';
import { NO_GROUPS } from '../../../src/domain/rate-group.js';
import { parseSender } from '../../../src/domain/sender.js';

function entry(from: string): SenderEntry {
  const parsed = parseSender(from);
  if (!parsed.ok) throw new Error(parsed.reason);
  return { sender: parsed.sender };
}

const GROUPS = (() => {
  const parsed = parseRateGroupsFile(
    JSON.stringify({
      groups: [
        { name: 'account', kind: 'account', limit: '200/s' },
        {
          name: 'acme-10dlc',
          kind: 'pool',
          parent: 'account',
          limit: '75/s',
          memberLimit: 'none',
          senders: ['+14155550100', '+14155550101', '+14155550102'],
        },
        { name: 'toll-free', kind: 'pool', parent: 'account', senders: ['+18005550100', '+18335550101'] },
      ],
    }),
  );
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.groups;
})();

describe('queue lanes', () => {
  it('puts a pool whose numbers have no limit of their own in one lane, and a number with its own limit in its own', () => {
    const senders = ['+14155550100', '+14155550101', '+14155550102', '+18005550100', '+18335550101', '+14155550199'];
    expect(assignLanes(senders.map(entry), GROUPS)).toEqual({
      p14155550100: 'g.acme-10dlc',
      p14155550101: 'g.acme-10dlc',
      p14155550102: 'g.acme-10dlc',
      // Toll-free numbers keep their 3/s each inside their pool: each is a lane.
      t18005550100: 't18005550100',
      t18335550101: 't18335550101',
      // In no group: its kind's default limit.
      p14155550199: 'p14155550199',
    });
  });

  it('gives each sender its own lane without groups, and reads a spec without lanes the same way', () => {
    const senders = [entry('+14155550100'), entry('+14155550101')];
    expect(assignLanes(senders, NO_GROUPS)).toEqual({ p14155550100: 'p14155550100', p14155550101: 'p14155550101' });
    const spec = { senders } as unknown as CampaignSpec;
    expect(lanesOf(spec)).toEqual(['p14155550100', 'p14155550101']);
    expect(laneOf(spec, 'p14155550101')).toBe('p14155550101');
  });

  it("lists a campaign's lanes once each, and each lane's senders", () => {
    const senders = ['+14155550100', '+18005550100', '+14155550101'].map(entry);
    const spec = { senders, lanes: assignLanes(senders, GROUPS) } as unknown as CampaignSpec;
    expect(lanesOf(spec)).toEqual(['g.acme-10dlc', 't18005550100']);
    expect(sendersOfLane(spec, 'g.acme-10dlc').map((one) => one.sender)).toEqual([
      senders[0]!.sender,
      senders[2]!.sender,
    ]);
  });
});
