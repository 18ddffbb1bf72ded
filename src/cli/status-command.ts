import type { Command } from 'commander';

import { loadClientConfig } from '../config/load-config.js';
import { parseCampaignName } from '../domain/campaign.js';
import { UsageError } from './usage-error.js';

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('Show a campaign’s state and counts.')
    .argument('<campaign>', 'campaign name')
    .option('--json', 'print JSON for scripts')
    .addHelpText('after', '\nExample:\n  herald status spring-sale --json')
    .action(async (campaign: string, options: { json?: boolean }) => {
      const name = parseCampaignName(campaign);
      if (!name.ok) throw new UsageError(name.reason);
      const config = loadClientConfig(process.env);
      const [{ connectConfiguredRedis }, { makeKeys }, { CampaignStore }] = await Promise.all([
        import('../queue/redis-connection.js'),
        import('../queue/keys.js'),
        import('../queue/campaign-store.js'),
      ]);
      const connection = await connectConfiguredRedis(config.redis, { role: 'command' });
      try {
        const store = new CampaignStore(connection, makeKeys(config.redis.prefix));
        const record = await store.get(name.name);
        if (record === undefined) throw new UsageError(`no campaign named ${campaign}`);
        const counts = await store.counts(name.name);
        const status = {
          campaign: name.name,
          state: record.state,
          ingest: record.ingest,
          createdAt: record.createdAt,
          finishedAt: record.finishedAt ?? null,
          queued: counts['queued'] ?? 0,
          sent: counts['sent'] ?? 0,
          failed: counts['failed'] ?? 0,
          unknown: counts['unknown'] ?? 0,
          cancelled: counts['cancelled'] ?? 0,
          rejected: counts['rejected'] ?? 0,
        };
        if (options.json === true) {
          process.stdout.write(`${JSON.stringify(status)}\n`);
          return;
        }
        const pending = status.queued - status.sent - status.failed - status.unknown - status.cancelled;
        process.stdout.write(
          `${status.campaign}: ${status.state} — queued ${status.queued}, sent ${status.sent}, failed ${status.failed}, ` +
            `unknown ${status.unknown}, cancelled ${status.cancelled}, pending ${pending}, rejected at ingest ${status.rejected}\n`,
        );
      } finally {
        await connection.quit().catch(() => connection.disconnect());
      }
    });
}
