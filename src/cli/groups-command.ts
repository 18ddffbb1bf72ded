import { readFileSync } from 'node:fs';

import type { Command } from 'commander';

import { chainOf, groupLinkId, tagOfGroup } from '../domain/rate-group.js';
import { parseRateGroupsFile } from '../domain/rate-group-file.js';
import { withCampaignStore } from './campaign-connection.js';
import { UsageError } from './usage-error.js';

const EXAMPLE = `{
  "groups": [
    { "name": "account", "kind": "account", "limit": "100/s" },
    { "name": "acme", "kind": "brand", "parent": "account", "dailyCap": { "segments": 10000 } },
    { "name": "acme-10dlc", "kind": "pool", "parent": "acme", "limit": "75/s", "memberLimit": "none",
      "senders": ["+14155550100", "+14155550101"] },
    { "name": "toll-free", "kind": "pool", "parent": "account", "senders": ["+18005550100"] }
  ]
}`;

export function registerGroupsCommand(program: Command): void {
  const groups = program
    .command('groups')
    .description('Show the rate groups (pools, brands, the account), their limits, daily caps and holds.')
    .option('--json', 'print JSON for scripts')
    .addHelpText(
      'after',
      `
A send takes its cost from its sender's limit and from every group above it: a 10DLC pool's limit is shared by
its numbers, a brand's daily cap by its pools, an account's limit by everything. Limits are N/s or N/min; a daily
cap counts segments and resets at resetAt (default 00:00) in timeZone (default America/Los_Angeles, T-Mobile's).
A group that reaches its daily cap is held until the reset: its recipients stay queued and use no attempts.

A groups file (herald groups apply groups.json):
${EXAMPLE}

Examples:
  herald groups apply groups.json
  herald groups
  herald groups resume acme`,
    )
    .action(async (options: { json?: boolean }) => {
      const [{ readRateOverview }, { formatGroups, groupsJson }] = await Promise.all([
        import('../rate/rate-overview.js'),
        import('./format-rates.js'),
      ]);
      await withCampaignStore(async ({ connection, keys, store }) => {
        const overview = await readRateOverview(connection, keys, store);
        process.stdout.write(options.json === true ? groupsJson(overview) : formatGroups(overview));
      });
    });

  groups
    .command('apply')
    .description('Replace the rate groups with those of a file, for every campaign and worker.')
    .argument('<file>', 'the groups file (JSON; see herald groups --help)')
    .action(async (file: string) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        throw new UsageError(
          `cannot read groups file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        );
      }
      const parsed = parseRateGroupsFile(text);
      if (!parsed.ok) throw new UsageError(parsed.reason);
      const { RateGroupsStore } = await import('../rate/rate-groups-store.js');
      await withCampaignStore(async ({ connection, keys }) => {
        await new RateGroupsStore(connection, keys).apply(parsed.groups);
      });
      const { groups: applied, senders } = parsed.groups;
      process.stdout.write(
        `applied ${applied.size} group(s) and ${senders.size} sender setting(s); running workers use them within seconds\n`,
      );
    });

  groups
    .command('resume')
    .description('Lift a group’s hold (a daily cap reached, or Twilio’s 30027) and send its queued recipients.')
    .argument('<group>', 'the group’s name')
    .action(async (name: string) => {
      const [{ Holds }, { promoteHeldJobs }, { RateGroupsStore }] = await Promise.all([
        import('../rate/holds.js'),
        import('../rate/promote-held-jobs.js'),
        import('../rate/rate-groups-store.js'),
      ]);
      await withCampaignStore(async ({ connection, keys, store }) => {
        const current = await new RateGroupsStore(connection, keys).read();
        if (!current.groups.has(name)) throw new UsageError(`no group named ${name} (see herald groups)`);
        const id = groupLinkId(name);
        const lifted = await new Holds(connection, keys).lift(tagOfGroup(current, name), id);
        const queues = await promoteHeldJobs(connection, keys, store, (sender) =>
          chainOf(current, sender).links.some((link) => link.id === id),
        );
        const was =
          lifted === undefined ? 'was not held' : `was ${lifted.state} (${lifted.code} ${lifted.reason}); resumed`;
        process.stdout.write(`group ${name} ${was}; ${queues} queue(s) of active campaigns asked to send now\n`);
      });
    });
}
