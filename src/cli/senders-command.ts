import type { Command } from 'commander';

import { parseSender, senderId } from '../domain/sender.js';
import { withCampaignStore } from './campaign-connection.js';
import { UsageError } from './usage-error.js';

/** A sender id as herald shows it (`p14155550100`, `t…`, `s…`, `w…`, `MG…`). */
const SENDER_ID = /^(?:[ptw]\d{8,15}|s\d{5,6}|MG[0-9a-fA-F]{32})$/;

/** The sender id of `--from`-style input (`+14155550100`, `whatsapp:+…`, `12345`, `MG…`) or of an id itself. */
export function parseSenderArgument(input: string): string {
  if (SENDER_ID.test(input)) return input;
  const parsed = parseSender(input);
  if (!parsed.ok) throw new UsageError(`${parsed.reason}, or a sender id as \`herald senders\` lists it`);
  return senderId(parsed.sender);
}

export function registerSendersCommand(program: Command): void {
  const senders = program
    .command('senders')
    .description('Show each sender’s rate and state: running, paused until a time (daily cap), or halted.')
    .option('--json', 'print JSON for scripts')
    .addHelpText(
      'after',
      `
A sender is paused when Twilio answers with a cap (63038 daily, 63018 WhatsApp's tier, …) and resumes by itself
when the pause ends. It is halted when Twilio answers 21212 or 21606 (a bad From), and every sender is halted when it
answers 20003 (credentials): recipients stay queued until you fix the cause and resume. docs/error-handling.md lists
every code.

Examples:
  herald senders
  herald senders resume +14155550100
  herald senders resume --account`,
    )
    .action(async (options: { json?: boolean }) => {
      const [{ readSenderOverview }, { formatSenders, sendersJson }] = await Promise.all([
        import('../queue/sender-overview.js'),
        import('./format-senders.js'),
      ]);
      await withCampaignStore(async ({ connection, keys, store }) => {
        const overview = await readSenderOverview(connection, keys, store);
        process.stdout.write(options.json === true ? sendersJson(overview) : formatSenders(overview));
      });
    });

  senders
    .command('resume')
    .description(
      'Lift a sender’s pause or halt (or, with --account, the whole account’s) and send its queued recipients.',
    )
    .argument('[sender]', 'the sender, as given to --from (+14155550100, whatsapp:+…, MG…) or its id (p14155550100)')
    .option('--account', 'resume the whole account after a 20003 (credentials fixed)')
    .addHelpText('after', '\nExamples:\n  herald senders resume +14155550100\n  herald senders resume --account')
    .action(async (sender: string | undefined, options: { account?: boolean }) => {
      if ((sender === undefined) === (options.account !== true)) {
        throw new UsageError('give either a sender or --account (see herald senders resume --help)');
      }
      const id = sender === undefined ? undefined : parseSenderArgument(sender);
      const { SenderHolds, promoteHeldJobs } = await import('../queue/sender-holds.js');
      await withCampaignStore(
        async ({ connection, keys, store }) => {
          const holds = new SenderHolds(connection, keys);
          const lifted = id === undefined ? await holds.resume('account') : await holds.resume('sender', id);
          const queues = await promoteHeldJobs(connection, keys, store, id);
          const subject = id === undefined ? 'the account' : `sender ${id}`;
          const was =
            lifted === undefined
              ? 'was not paused or halted'
              : `was ${lifted.state} (${lifted.code} ${lifted.reason}); resumed`;
          process.stdout.write(`${subject} ${was}; ${queues} queue(s) of active campaigns asked to send now\n`);
        },
        `${id === undefined ? 'the account' : `sender ${id}`} may still be paused or halted`,
      );
    });
}
