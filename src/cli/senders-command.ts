import type { Command } from 'commander';

import { senderLinkId, tagOfSender } from '../domain/rate-group.js';
import { parseSenderOrId, senderId } from '../domain/sender.js';
import { withCampaignStore } from './campaign-connection.js';
import { UsageError } from './usage-error.js';

/** The sender id of `--from`-style input (`+14155550100`, `whatsapp:+…`, `12345`, `MG…`) or of an id itself. */
export function parseSenderArgument(input: string): string {
  const parsed = parseSenderOrId(input);
  if (!parsed.ok) throw new UsageError(parsed.reason);
  return parsed.id;
}

export function registerSendersCommand(program: Command): void {
  const senders = program
    .command('senders')
    .description('Show each sender’s limits and state: running, held until a time, or halted.')
    .option('--json', 'print JSON for scripts')
    .addHelpText(
      'after',
      `
A sender is held until a time when Twilio answers with a cap (63038 daily, 63018 WhatsApp's tier, …), or when a
group it belongs to reaches its daily cap (herald groups), and sends again by itself then. It is halted when Twilio
answers 21212 or 21606 (a bad From), and every sender is halted when it answers 20003 (credentials): recipients stay
queued until you fix the cause and resume. docs/error-handling.md lists every code.

Examples:
  herald senders
  herald senders resume +14155550100
  herald senders resume --account`,
    )
    .action(async (options: { json?: boolean }) => {
      const [{ readRateOverview }, { formatSenders, sendersJson }] = await Promise.all([
        import('../rate/rate-overview.js'),
        import('./format-rates.js'),
      ]);
      await withCampaignStore(async ({ connection, keys, store }) => {
        const overview = await readRateOverview(connection, keys, store);
        process.stdout.write(options.json === true ? sendersJson(overview) : formatSenders(overview));
      });
    });

  senders
    .command('resume')
    .description(
      'Lift a sender’s hold or halt (or, with --account, the whole account’s) and send its queued recipients.',
    )
    .argument('[sender]', 'the sender, as given to --from (+14155550100, whatsapp:+…, MG…) or its id (p14155550100)')
    .option('--account', 'resume the whole account after a 20003 (credentials fixed)')
    .addHelpText('after', '\nExamples:\n  herald senders resume +14155550100\n  herald senders resume --account')
    .action(async (sender: string | undefined, options: { account?: boolean }) => {
      if ((sender === undefined) === (options.account !== true)) {
        throw new UsageError('give either a sender or --account (see herald senders resume --help)');
      }
      const id = sender === undefined ? undefined : parseSenderArgument(sender);
      const [{ Holds }, { promoteHeldJobs }, { RateGroupsStore }] = await Promise.all([
        import('../rate/holds.js'),
        import('../rate/promote-held-jobs.js'),
        import('../rate/rate-groups-store.js'),
      ]);
      await withCampaignStore(
        async ({ connection, keys, store }) => {
          const holds = new Holds(connection, keys);
          let lifted;
          if (id === undefined) lifted = await holds.liftAccount();
          else {
            // The hold is kept in the hash of the sender's chain as the groups stand now.
            const groups = await new RateGroupsStore(connection, keys).read();
            lifted = await holds.lift(tagOfSender(groups, id), senderLinkId(id));
          }
          const queues = await promoteHeldJobs(
            connection,
            keys,
            store,
            (entry) => id === undefined || senderId(entry) === id,
          );
          const subject = id === undefined ? 'the account' : `sender ${id}`;
          const was =
            lifted === undefined
              ? 'was not held or halted'
              : `was ${lifted.state} (${lifted.code} ${lifted.reason}); resumed`;
          process.stdout.write(`${subject} ${was}; ${queues} queue(s) of active campaigns asked to send now\n`);
        },
        `${id === undefined ? 'the account' : `sender ${id}`} may still be held or halted`,
      );
    });
}
